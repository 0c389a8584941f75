// One key of KeyPad: big (≥ 72 px), labelled, pressed state shown. `key` and `text` name what it types.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import Kiosk

AbstractButton {
    id: control
    property int key: 0
    property string tone: "key"      // key | action | accent
    focusPolicy: Qt.NoFocus
    implicitHeight: Math.max(72, Theme.target)
    background: Rectangle {
        radius: 10
        color: control.tone === "accent" ? (control.down ? "#E9C06A" : Theme.accent)
             : control.tone === "action" ? (control.down ? "#3A4450" : "#4B5563")
             : (control.down ? "#2A3340" : "#0E1620")
        border.width: 1; border.color: "#5B6470"
    }
    contentItem: Text {
        text: control.text
        textFormat: Text.PlainText
        horizontalAlignment: Text.AlignHCenter; verticalAlignment: Text.AlignVCenter
        font.pixelSize: control.text.length > 1 ? Theme.fontLarge : Math.round(Theme.fontHuge * 0.8)
        font.bold: true
        color: control.tone === "accent" ? "#5A0A0A" : "#FFFFFF"
        fontSizeMode: Text.HorizontalFit; minimumPixelSize: 16
    }
}
