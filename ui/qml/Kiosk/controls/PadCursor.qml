// The cursor of a field typed on the kiosk's own pad (KeyPad.qml): a thick blinking bar at the end of
// the text, drawn by the field itself because a read-only TextInput shows no cursor of its own. Put it
// inside the field: `PadCursor { field: theField }`.
import QtQuick
import Kiosk

Rectangle {
    id: bar
    required property TextInput field
    readonly property bool shown: field.activeFocus && KeyEntry.target === field
    objectName: "padCursor"
    visible: shown
    width: 4
    color: Theme.primary
    x: field.cursorRectangle.x - 1     // the pad keeps the cursor at the end (KeyEntry.keepAtEnd)
    y: field.topPadding + (field.height - field.topPadding - field.bottomPadding - height) / 2
    height: Math.round(field.font.pixelSize * 1.2)
    SequentialAnimation on opacity {
        running: bar.shown
        loops: Animation.Infinite
        alwaysRunToEnd: false
        NumberAnimation { to: 1; duration: 0 }
        PauseAnimation { duration: 600 }
        NumberAnimation { to: 0.15; duration: 0 }
        PauseAnimation { duration: 400 }
    }
}
