// Asked before a page with typed, unsent data is left (返回, 首页, the footer's buttons, the keyboard
// dock's 返回): a large, plain question with two big answers. 继续填写 (the first, and what a tap
// beside the card does) keeps everything; 放弃并离开 runs the move that was asked for.
//   leaveConfirm.ask(function () { … the move … })
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Layouts
import Kiosk

Rectangle {
    id: root
    objectName: "leaveConfirm"
    property var pending: null
    readonly property bool open: visible
    visible: false
    color: "#99000000"

    function ask(action) { pending = action; visible = true }
    function stay() { pending = null; visible = false }
    function leave() {
        var action = pending
        pending = null
        visible = false
        if (action) action()
    }

    MouseArea { anchors.fill: parent; onClicked: root.stay() }   // nothing under the dialog is reachable

    Rectangle {
        id: card
        anchors.centerIn: parent
        width: Math.min(parent.width - 2 * Theme.margin, Math.round(1000 * Theme.scale))
        height: column.implicitHeight + 2 * 48
        radius: Theme.radius
        color: Theme.cardBg
        border.width: 4
        border.color: Theme.highlight
        MouseArea { anchors.fill: parent }   // a tap on the card is not a tap beside it

        ColumnLayout {
            id: column
            anchors { left: parent.left; right: parent.right; top: parent.top; margins: 48 }
            spacing: Theme.gap * 1.5
            Text {
                objectName: "leaveConfirmTitle"
                Layout.fillWidth: true
                text: qsTr("您填写的内容还没有提交")
                textFormat: Text.PlainText
                wrapMode: Text.Wrap
                font.pixelSize: Theme.fontTitle
                font.bold: true
                color: Theme.text
            }
            Text {
                objectName: "leaveConfirmText"
                Layout.fillWidth: true
                text: qsTr("离开这一页，已填写的内容会被清除。要继续填写吗？")
                textFormat: Text.PlainText
                wrapMode: Text.Wrap
                font.pixelSize: Theme.fontLarge
                color: Theme.text
            }
            GridLayout {
                Layout.fillWidth: true
                columns: Theme.portrait ? 1 : 2
                columnSpacing: Theme.gap * 2
                rowSpacing: Theme.gap
                KioskButton {
                    objectName: "leaveStay"
                    Layout.fillWidth: true
                    Layout.preferredWidth: 1
                    Layout.preferredHeight: Math.round(Theme.target * 1.25)
                    tone: "primary"
                    fontSize: Theme.fontLarge
                    text: qsTr("继续填写")
                    onClicked: root.stay()
                }
                KioskButton {
                    objectName: "leaveDiscard"
                    Layout.fillWidth: true
                    Layout.preferredWidth: 1
                    Layout.preferredHeight: Math.round(Theme.target * 1.25)
                    tone: "danger"
                    fontSize: Theme.fontLarge
                    text: qsTr("放弃并离开")
                    onClicked: root.leave()
                }
            }
        }
    }
}
