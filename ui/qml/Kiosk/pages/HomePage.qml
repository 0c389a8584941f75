// Home: the scrolling announcements line, a big search entry, tiles for the content types, the 五公开
// dimensions, and doors to the 26 grassroots sectors, 依申请公开, application status and rating.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Kiosk
import Kiosk.Backend

KioskPage {
    id: page
    objectName: "homePage"
    route: "home"
    ready: !!(Terminal.ready && types.count > 0 && !types.loading)
    // everything including the document counts on the tiles (screenshots wait for this)
    settled: !!(ready && types.counted && dimensions.counted)
    // landscape in standard type: everything fits 1920×1080 without scrolling
    readonly property bool compact: !Theme.portrait && !Theme.largeText
    // landscape in large type: the services and two whole rows of categories fit above the footer
    // (no row half hidden under it); the rest scrolls
    readonly property bool largeLandscape: !Theme.portrait && Theme.largeText
    readonly property var tileColors: ["#A4161A", "#1B4F8F", "#2E7D32", "#B45309", "#6A1B9A", "#00695C",
                                       "#C62828", "#283593", "#5D4037", "#AD1457"]

    CategoryModel { id: types; facet: "type" }
    CategoryModel { id: dimensions; facet: "dimension" }
    // counts change when sync changes the mirror (Terminal re-counts the documents every minute)
    property int countedDocuments: 0
    Connections {
        target: Terminal
        function onDocumentCountChanged() {
            if (page.countedDocuments > 0 && Terminal.documentCount !== page.countedDocuments) {
                types.reload(); dimensions.reload()
            }
            page.countedDocuments = Terminal.documentCount
        }
    }

    Flickable {
        id: flick
        anchors.fill: parent
        contentHeight: col.implicitHeight + 2 * Theme.margin
        boundsBehavior: Flickable.StopAtBounds
        flickableDirection: Flickable.VerticalFlick
        ScrollBar.vertical: ScrollBar { width: 14; policy: flick.contentHeight > flick.height ? ScrollBar.AlwaysOn : ScrollBar.AlwaysOff }

        ColumnLayout {
            id: col
            x: Theme.margin; y: Theme.portrait ? Theme.margin * 0.75 : 20
            width: flick.width - 2 * Theme.margin
            spacing: page.compact || page.largeLandscape ? 14 : Theme.gap

            // One slot of fixed height at the top: the announcements line, or (after the resident read
            // a document or applied) the rating prompt in its place until it is answered or dismissed.
            // Nothing below ever moves when the prompt comes or goes.
            Item {
                id: topSlot
                objectName: "homeTopSlot"
                Layout.fillWidth: true
                implicitHeight: Math.max(Theme.target + 8, page.compact ? 60 : Math.round(72 * Theme.scale))
                readonly property bool ratingDue: (Terminal.visitDocuments > 0 || Visit.applied) && !Visit.ratingClosed
                AnnouncementBar { anchors.fill: parent; visible: !topSlot.ratingDue && Terminal.announcements.length > 0 }
                RatingPrompt { objectName: "ratingPrompt"; anchors.fill: parent; visible: topSlot.ratingDue }
            }

            // the search entry: a big field-like button that opens the search screen
            AbstractButton {
                objectName: "homeSearch"
                Layout.fillWidth: true
                implicitHeight: page.compact ? 80 : page.largeLandscape ? 104 : Math.round(96 * Theme.scale)
                focusPolicy: Qt.NoFocus
                onClicked: Nav.open("search", {})
                background: Rectangle { radius: height / 2; color: Theme.cardBg; border.color: Theme.primary; border.width: 3 }
                contentItem: RowLayout {
                    spacing: 20
                    Item { Layout.preferredWidth: 24 }
                    Text { textFormat: Text.PlainText; Layout.fillWidth: true; text: Theme.portrait ? qsTr("请输入关键词，如：低保、dibao") : qsTr("请输入关键词搜索，如：低保、医保、户口、dibao")
                           color: Theme.textMuted; font.pixelSize: Theme.fontLarge; elide: Text.ElideRight }
                    Rectangle { Layout.preferredWidth: Math.round(200 * Theme.scale); Layout.fillHeight: true; Layout.margins: 10
                                radius: height / 2; color: Theme.primary
                                Text { textFormat: Text.PlainText; anchors.centerIn: parent; text: qsTr("搜 索"); color: "white"; font.pixelSize: Theme.fontLarge; font.bold: true } }
                }
            }

            // the four services first: in large type they are what a resident came for
            GridLayout {
                objectName: "serviceTiles"
                Layout.fillWidth: true
                columns: Theme.portrait ? 2 : 4
                columnSpacing: Theme.gap; rowSpacing: Theme.gap
                Tile { objectName: "sectorsTile"; feature: true; implicitHeight: page.compact ? 104 : page.largeLandscape ? 128 : Math.round(150 * Theme.scale); Layout.fillWidth: true; Layout.preferredWidth: 100
                       text: qsTr("基层政务公开"); subtitle: qsTr("26 个领域标准目录"); mark: "26"; markColor: "#1B4F8F"
                       onClicked: Nav.open("sectors", {}) }
                Tile { objectName: "applyTile"; feature: true; implicitHeight: page.compact ? 104 : page.largeLandscape ? 128 : Math.round(150 * Theme.scale); Layout.fillWidth: true; Layout.preferredWidth: 100
                       text: qsTr("依申请公开"); subtitle: qsTr("申请获取政府信息"); mark: "申"; markColor: "#A4161A"
                       onClicked: Nav.open("apply", {}) }
                Tile { objectName: "statusTile"; feature: true; implicitHeight: page.compact ? 104 : page.largeLandscape ? 128 : Math.round(150 * Theme.scale); Layout.fillWidth: true; Layout.preferredWidth: 100
                       text: qsTr("申请进度查询"); subtitle: qsTr("凭受理编号查询"); mark: "查"; markColor: "#2E6B30"
                       onClicked: Nav.open("status", {}) }
                Tile { objectName: "ratingTile"; feature: true; implicitHeight: page.compact ? 104 : page.largeLandscape ? 128 : Math.round(150 * Theme.scale); Layout.fillWidth: true; Layout.preferredWidth: 100
                       text: qsTr("满意度评价"); subtitle: qsTr("为我们的服务打分"); mark: "评"; markColor: "#B45309"
                       onClicked: Nav.open("rating", {}) }
            }

            SectionTitle { text: qsTr("信息公开分类"); note: Terminal.documentCount > 0 ? qsTr("共 %1 份文件").arg(Terminal.documentCount) : "" }
            GridLayout {
                Layout.fillWidth: true
                columns: Theme.portrait ? 2 : (Theme.largeText ? 4 : 5)
                columnSpacing: Theme.gap; rowSpacing: Theme.gap
                Repeater {
                    model: types
                    delegate: Tile {
                        required property int index
                        required property string code
                        required property string name
                        required property int count
                        objectName: "typeTile-" + code
                        implicitHeight: page.compact ? 108 : page.largeLandscape ? 160 : Math.round(128 * Theme.scale)
                        Layout.fillWidth: true
                        Layout.preferredWidth: 100
                        text: name
                        subtitle: count >= 0 ? qsTr("%1 条").arg(count) : " "
                        markColor: (page.tileColors || [])[index % 10] || "#A4161A"
                        onClicked: Nav.open("category", { categoryCode: code, categoryName: name })
                    }
                }
            }

            SectionTitle { text: qsTr("五公开"); note: qsTr("决策、执行、管理、服务、结果公开") }
            GridLayout {
                Layout.fillWidth: true
                columns: Theme.portrait ? 3 : 5
                columnSpacing: Theme.gap; rowSpacing: Theme.gap
                Repeater {
                    model: dimensions
                    delegate: Tile {
                        required property string code
                        required property string name
                        required property int count
                        objectName: "dimTile-" + code
                        Layout.fillWidth: true
                        Layout.preferredWidth: 100
                        implicitHeight: page.compact ? 80 : Math.round(100 * Theme.scale)
                        text: name
                        subtitle: count >= 0 ? qsTr("%1 条").arg(count) : " "
                        markColor: "#8B1015"
                        onClicked: Nav.open("category", { categoryCode: code, categoryName: name })
                    }
                }
            }

            Text { textFormat: Text.PlainText;
                Layout.fillWidth: true
                visible: Terminal.zoneHours !== "" || Terminal.zonePhone !== ""
                text: qsTr("办公时间：%1    咨询电话：%2").arg(Terminal.zoneHours).arg(Terminal.zonePhone)
                wrapMode: Text.Wrap
                font.pixelSize: Theme.fontSmall; color: Theme.textMuted
            }
        }
    }
}
