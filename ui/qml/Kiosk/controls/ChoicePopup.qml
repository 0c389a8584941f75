// A big-row list to pick one value (filters: year, issuer, zone, status). choices: [{label, value}].
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Kiosk

Popup {
    id: popup
    property string heading: ""
    property var choices: []
    property var current
    signal chosen(var value)
    modal: true
    dim: true
    anchors.centerIn: Overlay.overlay
    width: Math.min(parent ? parent.width - 80 : 800, 900)
    height: Math.min(list.contentHeight + head.height + 60, (parent ? parent.height : 900) - 80)
    padding: 0
    background: Rectangle { radius: Theme.radius; color: Theme.cardBg; border.color: Theme.cardBorder; border.width: Theme.cardBorderWidth }

    ColumnLayout {
        anchors.fill: parent
        spacing: 0
        Rectangle {
            id: head
            Layout.fillWidth: true; implicitHeight: Theme.target; color: Theme.headerBg; radius: Theme.radius
            Text { textFormat: Text.PlainText; anchors.centerIn: parent; text: popup.heading; color: "white"; font.pixelSize: Theme.fontLarge; font.bold: true }
        }
        ListView {
            id: list
            objectName: "choiceList"
            Layout.fillWidth: true; Layout.fillHeight: true
            clip: true
            model: popup.choices
            boundsBehavior: Flickable.StopAtBounds
            ScrollBar.vertical: ScrollBar { width: 14; policy: ScrollBar.AsNeeded }
            delegate: AbstractButton {
                id: choice
                required property var modelData
                required property int index
                objectName: "choice-" + index
                width: ListView.view.width
                implicitHeight: Theme.target
                focusPolicy: Qt.NoFocus
                onClicked: { popup.chosen(choice.modelData.value); popup.close() }
                background: Rectangle { color: choice.pressed ? "#EFE8DA" : (choice.modelData.value === popup.current ? "#FFF3E0" : "transparent")
                    Rectangle { anchors { left: parent.left; right: parent.right; bottom: parent.bottom } height: 1; color: Theme.cardBorder } }
                contentItem: Text { textFormat: Text.PlainText; leftPadding: 32; text: (choice.modelData.value === popup.current ? "● " : "") + choice.modelData.label
                                    verticalAlignment: Text.AlignVCenter; font.pixelSize: Theme.fontBody; color: Theme.text; elide: Text.ElideRight }
            }
        }
    }
}
