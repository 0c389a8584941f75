// What the resident sees when a screen could not be opened (Main.qml pushes it after warning with the
// reason): a plain statement that this terminal has a fault, what to do, and one big way home. A page
// that fails to load is a bug to be fixed, never something to pass off as "not available yet".
import QtQuick
import QtQuick.Layouts
import Kiosk

KioskPage {
    id: page
    objectName: "pageErrorPage"
    route: "error"
    required property string failedRoute    // for the log and the tests; not shown to the resident

    Rectangle { anchors.fill: parent; color: Theme.pageBg }
    ColumnLayout {
        anchors.centerIn: parent
        width: Math.min(parent.width - 2 * Theme.margin, 1100)
        spacing: Theme.gap * 1.5
        Text {
            objectName: "pageErrorTitle"
            Layout.fillWidth: true
            horizontalAlignment: Text.AlignHCenter
            wrapMode: Text.Wrap
            textFormat: Text.PlainText
            text: qsTr("抱歉，这个页面没能打开")
            font.pixelSize: Theme.fontTitle; font.bold: true; color: Theme.highlight
        }
        Text {
            objectName: "pageErrorBody"
            Layout.fillWidth: true
            horizontalAlignment: Text.AlignHCenter
            wrapMode: Text.Wrap
            textFormat: Text.PlainText
            text: qsTr("这是本机的故障，不是您操作有误。故障已记录，请告知现场工作人员。您可以返回首页继续使用其他功能。")
            font.pixelSize: Theme.fontLarge; color: Theme.text
        }
        KioskButton {
            objectName: "pageErrorHome"
            Layout.alignment: Qt.AlignHCenter
            Layout.preferredWidth: Math.round(360 * Theme.scale)
            tone: "primary"
            text: qsTr("返回首页")
            fontSize: Theme.fontLarge
            onClicked: Nav.home()
        }
    }
}
