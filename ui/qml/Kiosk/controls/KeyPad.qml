// The kiosk's own pad for numbers and codes (see KeyEntry.qml), docked at the bottom like the system
// keyboard. One arrangement for every number, as on a phone: 1-2-3 on top, 0 at the bottom between
// the one extra key the field allows (- for a phone, X for an ID number, none otherwise) and ⌫;
// beside them 收起, 清除 (empties the field) and a tall 下一项 (Enter: the next field; on the last one
// the step's 下一步).
// The code layout (tracking numbers) adds the letters A-Z, typed directly, upper case.
pragma ComponentBehavior: Bound
import QtQuick
import Kiosk

Rectangle {
    id: pad
    objectName: "keyPad"
    readonly property bool code: KeyEntry.layout === "code"
    readonly property string extra: KeyEntry.layout === "phone" ? "-" : KeyEntry.layout === "id" ? "X" : ""
    readonly property int keyHeight: Math.max(72, Theme.target)
    // each key: label, row, column, row span, column span
    readonly property var keys: code ? codeKeys() : numberKeys()
    function numberKeys() {
        var k = [], digits = ["1", "2", "3", "4", "5", "6", "7", "8", "9"]
        for (let i = 0; i < 9; i++) k.push([digits[i], Math.floor(i / 3), i % 3, 1, 1])
        if (pad.extra !== "") k.push([pad.extra, 3, 0, 1, 1])
        k.push(["0", 3, 1, 1, 1], ["⌫", 3, 2, 1, 1], ["收起", 0, 3, 1, 1], ["清除", 1, 3, 1, 1], ["下一项", 2, 3, 2, 1])
        return k
    }
    function codeKeys() {
        var k = [], rows = ["1234567890-", "QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM"]
        for (let r = 0; r < rows.length; r++)
            for (let c = 0; c < rows[r].length; c++) k.push([rows[r][c], r, c, 1, 1])
        k.push(["⌫", 0, 11, 1, 1], ["收起", 1, 10, 1, 2], ["下一项", 2, 9, 2, 3], ["清除", 3, 7, 1, 2])
        return k
    }
    readonly property int columns: code ? 12 : 4
    readonly property real keyWidth: code ? (width - 2 * Theme.gap - 11 * 10) / 12
                                          : Math.min(240, (width - 2 * Theme.gap - 3 * 10) / 4)

    color: Theme.footerBg
    height: 4 * keyHeight + 3 * 10 + 2 * Theme.gap
    y: KeyEntry.active ? parent.height - height : parent.height
    visible: y < parent.height - 0.5
    Behavior on y { NumberAnimation { duration: 80 } }
    MouseArea { anchors.fill: parent }   // a tap between keys never reaches what is under the pad

    Item {
        id: board
        width: pad.columns * pad.keyWidth + (pad.columns - 1) * 10
        height: 4 * pad.keyHeight + 30
        anchors.centerIn: parent
        Repeater {
            model: pad.keys
            delegate: PadKey {
                required property var modelData
                readonly property string label: modelData[0]
                x: modelData[2] * (pad.keyWidth + 10)
                y: modelData[1] * (pad.keyHeight + 10)
                width: modelData[4] * pad.keyWidth + (modelData[4] - 1) * 10
                height: modelData[3] * pad.keyHeight + (modelData[3] - 1) * 10
                objectName: label === "收起" ? "keyPadHide" : label === "下一项" ? "keyPadEnter"
                          : label === "⌫" ? "keyPadBackspace" : label === "清除" ? "keyPadClear" : "keyPad-" + label
                text: label
                key: label === "下一项" ? Qt.Key_Return : label === "⌫" ? Qt.Key_Backspace
                   : label === "收起" ? Qt.Key_Escape : label === "清除" ? Qt.Key_Clear : label.charCodeAt(0)
                tone: label === "下一项" ? "accent" : (label.length > 1 || label === "⌫") ? "action" : "key"
                onClicked: label === "下一项" ? KeyEntry.enter() : label === "⌫" ? KeyEntry.backspace()
                         : label === "收起" ? KeyEntry.close() : label === "清除" ? KeyEntry.clear() : KeyEntry.type(label)
            }
        }
    }
}
