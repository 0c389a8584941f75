// KeyEntry (singleton): the kiosk's own key pads for fields the Pinyin keyboard types badly — numbers
// and codes. A field asks for a pad when it takes focus (KeyEntry.open(field, "phone")) and gives it up
// when it loses focus (KeyEntry.release(field)); Main.qml shows KeyPad.qml while `active`.
//   digits   0-9                      postcode, staff number
//   phone    0-9 and -                mobile or 区号-号码
//   id       0-9 and X                resident ID (the check digit may be X)
//   code     0-9, A-Z and -           a tracking number such as WB01-20261127-0007
// Such fields are read-only to the input method (the system keyboard stays down) and the pad writes
// into them; its Enter key emits the field's `accepted`, which moves on to the next field.
// The pad always types at the end of the field and ⌫ takes the last character away: a tap on the
// field puts the cursor at the end (`keepAtEnd`), where PadCursor.qml draws it; 清除 empties it.
// `hideAll()` puts away both the pad and the system keyboard (Qt Virtual Keyboard's Pinyin, seen
// through QtQuick's InputMethod singleton).
pragma Singleton
import QtQuick

QtObject {
    property TextInput target: null
    property string layout: "digits"
    readonly property bool active: target !== null

    function open(field: TextInput, kind: string) { layout = kind || "digits"; target = field }
    function release(field: TextInput) { if (target === field) target = null }
    function close() {
        var field = target
        target = null
        if (field) field.focus = false
    }
    function type(text) {
        if (!target) return
        target.insert(target.length, text)
        target.cursorPosition = target.length
    }
    function backspace() {
        if (!target || target.length === 0) return
        target.remove(target.length - 1, target.length)
        target.cursorPosition = target.length
    }
    function clear() {
        if (!target) return
        target.remove(0, target.length)
        target.cursorPosition = 0
    }
    // a pad field's onCursorPositionChanged: wherever a finger put the cursor, it goes back to the end
    function keepAtEnd(field: TextInput) {
        if (field.cursorPosition !== field.length) field.cursorPosition = field.length
    }
    function enter() { if (target) target.accepted() }
    function hideAll() { InputMethod.hide(); close() }
}
