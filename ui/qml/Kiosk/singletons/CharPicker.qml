// CharPicker (singleton): opens the rare-character finder (CharFinderPanel.qml, shown by Main.qml while
// `active`) for a field that takes a person's name, and puts the chosen character into that field at
// the place its cursor was, so the rest of the name is still typed in pinyin.
//   CharPicker.open(field)    the field's 「找不到字？」 button
//   CharPicker.choose("𬭎")   a candidate tapped in the finder: inserted, the finder closes
//   CharPicker.close()        the finder's 返回填写 (nothing inserted)
// `showExample()` opens it with no field on 钅 + 7 strokes (only for `kiosk screenshot --screen charfinder`).
pragma Singleton
import QtQuick
import Kiosk.Backend

QtObject {
    property TextInput target: null
    property int cursor: 0
    property bool shown: false
    readonly property bool active: shown

    function open(field: TextInput) {
        target = field
        cursor = field ? field.cursorPosition : 0
        shown = true
        if (field) field.focus = false   // the name's keyboard goes down; the finder has its own field
    }
    function showExample() { target = null; shown = true; CharFinder.showExample() }
    function release(field: TextInput) { if (target === field) { target = null; shown = false } }
    function close() {
        let field = target
        shown = false
        target = null
        if (field) field.forceActiveFocus()
    }
    function choose(text: string) {
        let field = target
        CharFinder.reset()
        if (field) {
            let pos = Math.min(cursor, field.length)
            field.insert(pos, text)
            field.cursorPosition = pos + text.length
        }
        close()
    }
}
