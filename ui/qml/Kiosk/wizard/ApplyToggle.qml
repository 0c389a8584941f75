// A big toggle button of the wizard (media, delivery, consent): tap to choose, tap again to un-choose.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import Kiosk

AbstractButton {
    id: root
    property bool chosen: false
    property string detail: ""
    property real fontScale: Theme.scale
    implicitHeight: Math.max(88, contentItem.implicitHeight + 28)
    implicitWidth: 300 * fontScale
    focusPolicy: Qt.NoFocus

    background: Rectangle {
        radius: 14
        color: root.chosen ? "#e3eefc" : (root.down ? "#eef1f5" : "#ffffff")
        border.width: root.chosen ? 4 : 2
        border.color: root.chosen ? Theme.primary : "#9aa5b1"
    }
    contentItem: Row {
        spacing: 18 * root.fontScale
        leftPadding: 20
        Rectangle {
            id: box
            anchors.verticalCenter: parent.verticalCenter
            width: 44 * root.fontScale
            height: width
            radius: 8
            color: root.chosen ? Theme.primary : "#ffffff"
            border.width: 3
            border.color: root.chosen ? Theme.primary : Theme.textMuted
            Text { textFormat: Text.PlainText;
                anchors.centerIn: parent
                text: "✓"
                visible: root.chosen
                color: "#ffffff"
                font.pixelSize: 32 * root.fontScale
                font.bold: true
            }
        }
        Column {
            anchors.verticalCenter: parent.verticalCenter
            width: root.width - box.width - 60 * root.fontScale
            spacing: 4
            Text { textFormat: Text.PlainText;
                width: parent.width
                text: root.text
                font.pixelSize: 30 * root.fontScale
                font.bold: true
                color: Theme.text
                wrapMode: Text.Wrap
            }
            Text { textFormat: Text.PlainText;
                width: parent.width
                visible: root.detail !== ""
                text: root.detail
                font.pixelSize: Theme.px(22)
                color: Theme.textMuted
                wrapMode: Text.Wrap
            }
        }
    }
}
