// The idle countdown: after a quiet spell, "N 秒后返回首页" with a big 继续使用 button. Any touch
// anywhere counts as activity (the Idle singleton's application event filter), so it simply vanishes.
import QtQuick
import QtQuick.Layouts
import Kiosk
import Kiosk.Backend

Rectangle {
    id: root
    objectName: "idleOverlay"
    visible: Idle.warning
    color: "#B0000000"
    MouseArea { anchors.fill: parent; onClicked: Idle.poke() }
    Rectangle {
        anchors.centerIn: parent
        width: Math.min(parent.width - 80, 900)
        height: col.implicitHeight + 80
        radius: Theme.radius * 2
        color: Theme.cardBg
        border.color: Theme.headerBg; border.width: 4
        ColumnLayout {
            id: col
            anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; margins: 48 }
            spacing: Theme.gap
            Text { textFormat: Text.PlainText; Layout.fillWidth: true; horizontalAlignment: Text.AlignHCenter; text: qsTr("您还在使用吗？")
                   font.pixelSize: Theme.fontTitle; font.bold: true; color: Theme.text }
            Text { textFormat: Text.PlainText; objectName: "idleSeconds"; Layout.fillWidth: true; horizontalAlignment: Text.AlignHCenter
                   text: qsTr("%1 秒后将返回首页，并清除您输入的内容").arg(Idle.secondsLeft)
                   wrapMode: Text.Wrap; font.pixelSize: Theme.fontLarge; color: Theme.text }
            KioskButton { objectName: "idleContinue"; Layout.alignment: Qt.AlignHCenter; Layout.preferredWidth: 420
                          text: qsTr("继续使用"); fontSize: Theme.fontLarge; onClicked: Idle.poke() }
        }
    }
}
