// A short message at the bottom of the screen that fades after a few seconds.
import QtQuick
import Kiosk

Rectangle {
    id: root
    property alias text: label.text
    function show(message) { label.text = message; opacity = 1; hideTimer.restart() }
    objectName: "toast"
    anchors.horizontalCenter: parent.horizontalCenter
    y: parent.height - Theme.footerHeight - height - 30
    width: Math.min(parent.width - 80, label.implicitWidth + 80)
    height: label.implicitHeight + 40
    radius: Theme.radius
    color: "#222"
    opacity: 0
    visible: opacity > 0
    Behavior on opacity { NumberAnimation { duration: 150 } }
    Text { textFormat: Text.PlainText; id: label; anchors.centerIn: parent; width: parent.width - 60; color: "white"; wrapMode: Text.Wrap
           horizontalAlignment: Text.AlignHCenter; font.pixelSize: Theme.fontBody }
    Timer { id: hideTimer; interval: 4000; onTriggered: root.opacity = 0 }
}
