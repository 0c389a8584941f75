// A big, plainly labelled touch button (≥ 72 px high). tone: "primary" (blue), "light" (white card),
// "dark" (footer), "gold" (header), "danger". Pressed state is shown; nothing depends on hover.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import Kiosk

AbstractButton {
    id: control
    property string tone: "primary"
    property string glyph: ""
    property int fontSize: Theme.fontBody
    checkable: false
    // a long label wraps onto a second line and the button grows (never below the 72 px target)
    implicitHeight: Math.max(Theme.target, implicitContentHeight + 20)
    implicitWidth: Math.max(Theme.target * 1.6, implicitContentWidth + leftPadding + rightPadding)
    focusPolicy: Qt.NoFocus
    leftPadding: 20
    rightPadding: 20
    opacity: enabled ? 1 : 0.4

    readonly property color bg: tone === "light" ? (pressed ? "#EDE7DA" : Theme.cardBg)
                              : tone === "dark" ? (checked ? "#4A4A4A" : pressed ? "#555" : "transparent")
                              : tone === "gold" ? (pressed ? "#E9C06A" : Theme.accent)
                              : tone === "danger" ? (pressed ? "#8E1515" : Theme.repealed)
                              : (pressed ? Theme.primaryPressed : Theme.primary)
    readonly property color fg: tone === "light" ? Theme.primary : tone === "gold" ? "#5A0A0A" : "#FFFFFF"

    background: Rectangle {
        radius: Theme.radius
        color: control.bg
        border.width: control.tone === "light" ? Theme.cardBorderWidth + 1 : control.tone === "dark" ? 2 : 0
        border.color: control.tone === "light" ? Theme.primary : "#777"
    }
    contentItem: Item {
        id: content
        readonly property real glyphSpace: glyphText.visible ? glyphText.implicitWidth + 10 : 0
        implicitWidth: glyphSpace + label.implicitWidth
        implicitHeight: Math.max(glyphText.implicitHeight, label.height)
        Row {
            anchors.centerIn: parent
            spacing: 10
            Text { textFormat: Text.PlainText; id: glyphText; visible: control.glyph !== ""; text: control.glyph; color: control.fg
                   font.pixelSize: control.fontSize * 1.15; font.bold: true; anchors.verticalCenter: parent.verticalCenter }
            Text { id: label; text: control.text; textFormat: Text.PlainText; color: control.fg; font.pixelSize: control.fontSize; font.bold: true
                   anchors.verticalCenter: parent.verticalCenter
                   width: Math.min(implicitWidth, control.availableWidth - content.glyphSpace)
                   wrapMode: Text.Wrap; horizontalAlignment: Text.AlignHCenter }
        }
    }
}
