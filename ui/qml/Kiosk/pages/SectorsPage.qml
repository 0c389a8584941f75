// The 26 grassroots sectors (基层政务公开标准目录) and the folded-in platforms, as a grid of tiles.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Kiosk
import Kiosk.Backend

KioskPage {
    id: page
    objectName: "sectorsPage"
    route: "sectors"
    ready: sectors.count > 0 && !sectors.loading
    settled: !!(ready && sectors.counted)
    CategoryModel { id: sectors; facet: "sector" }
    CategoryModel { id: platforms; facet: "platform" }

    PageTitle { id: title; anchors { left: parent.left; right: parent.right; top: parent.top }
                text: qsTr("基层政务公开 · 26 个领域"); note: qsTr("点选领域查看公开内容") }
    Flickable {
        id: flick
        anchors { left: parent.left; right: parent.right; top: title.bottom; bottom: parent.bottom }
        contentHeight: col.implicitHeight + 2 * Theme.margin
        clip: true
        boundsBehavior: Flickable.StopAtBounds
        ScrollBar.vertical: ScrollBar { width: 14; policy: flick.contentHeight > flick.height ? ScrollBar.AlwaysOn : ScrollBar.AlwaysOff }
        ColumnLayout {
            id: col
            x: Theme.margin; y: Theme.margin * 0.75
            width: flick.width - 2 * Theme.margin
            spacing: Theme.gap
            GridLayout {
                Layout.fillWidth: true
                columns: Theme.portrait ? 2 : (Theme.largeText ? 3 : 4)
                columnSpacing: Theme.gap; rowSpacing: Theme.gap
                Repeater {
                    model: sectors
                    delegate: Tile {
                        required property int index
                        required property string code
                        required property string name
                        required property int count
                        objectName: "sectorTile-" + code
                        Layout.fillWidth: true; Layout.preferredWidth: 100
                        implicitHeight: Math.round(104 * Theme.scale)
                        text: name; mark: String(index + 1)
                        subtitle: count >= 0 ? qsTr("%1 条").arg(count) : " "
                        markColor: index % 2 ? "#1B4F8F" : "#A4161A"
                        onClicked: Nav.open("category", { categoryCode: code, categoryName: name })
                    }
                }
            }
            SectionTitle { visible: platforms.count > 0; text: qsTr("平台服务"); note: qsTr("在线办理请扫码在手机上继续") }
            GridLayout {
                Layout.fillWidth: true
                columns: Theme.portrait ? 2 : 4
                columnSpacing: Theme.gap; rowSpacing: Theme.gap
                Repeater {
                    model: platforms
                    delegate: Tile {
                        required property string code
                        required property string name
                        required property int count
                        Layout.fillWidth: true; Layout.preferredWidth: 100
                        text: name; subtitle: count >= 0 ? qsTr("%1 条").arg(count) : " "; markColor: "#00695C"
                        onClicked: Nav.open("category", { categoryCode: code, categoryName: name })
                    }
                }
            }
        }
    }
}
