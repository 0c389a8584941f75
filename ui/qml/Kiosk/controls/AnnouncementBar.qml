// The scrolling announcements line on home: the newest 公示公告, each one tappable.
pragma ComponentBehavior: Bound
import QtQuick
import Kiosk
import Kiosk.Backend

Rectangle {
    id: root
    objectName: "announcementBar"
    implicitHeight: Math.round(72 * Theme.scale)
    radius: Theme.radius
    color: "#FFF6E5"
    border.color: "#E0B25A"; border.width: Theme.cardBorderWidth + 1
    clip: true

    Rectangle {
        id: tag
        anchors { left: parent.left; top: parent.top; bottom: parent.bottom }
        width: Math.round(150 * Theme.scale); radius: Theme.radius
        color: Theme.headerBg
        Text { textFormat: Text.PlainText; anchors.centerIn: parent; text: qsTr("公示公告"); color: "white"; font.pixelSize: Theme.fontBody; font.bold: true }
    }
    Item {
        id: lane
        anchors { left: tag.right; right: parent.right; top: parent.top; bottom: parent.bottom; leftMargin: 20; rightMargin: 20 }
        clip: true
        Row {
            id: ticker
            anchors.verticalCenter: parent.verticalCenter
            spacing: 80
            Repeater {
                model: Terminal.announcements
                delegate: Text {
                    id: line
                    required property var modelData
                    property bool mayElide: true   // the line scrolls: a title runs past the edge by design
                    textFormat: Text.PlainText
                    text: "◆ " + modelData.title
                    font.pixelSize: Theme.fontBody; color: "#5A2A00"
                    MouseArea { anchors.fill: parent; anchors.margins: -16
                                onClicked: Nav.open("document", { docId: line.modelData.docId }) }
                }
            }
            NumberAnimation on x {
                running: ticker.width > lane.width && root.visible
                from: 0; to: -ticker.width + lane.width * 0.3
                duration: Math.max(8000, ticker.width * 12)
                loops: Animation.Infinite
            }
        }
    }
}
