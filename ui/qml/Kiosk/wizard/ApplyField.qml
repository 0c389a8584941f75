// One labelled input of the application wizard: the label, the field, and the core's error message
// for it in plain Chinese right below (red, with the field outlined). objectNames: applyField-<key>,
// applyError-<key>.
//
// `pad` names the kiosk's own key pad for numbers ("digits", "phone" with -, "id" with X; KeyEntry.qml):
// such a field leaves the Pinyin keyboard down and opens the pad. Enter (the keyboard's ⏎ or the pad's
// 下一项) moves to the next field of the step, and on the last one to the step's 下一步: the page that
// holds the field listens to `advanceRequested()`.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Kiosk
import Kiosk.Backend

ColumnLayout {
    id: root
    required property string key          // the core's dotted field path, e.g. "applicant.name"
    property string label: ""
    property string hint: ""               // greyed example inside the empty field
    property bool required: false
    property bool multiline: false
    property int inputHints: Qt.ImhNone
    property string pad: ""                // "" (Pinyin keyboard) | digits | phone | id
    property bool personName: false        // a person's name: offers the rare-character finder (CharPicker.qml)
    property real fontScale: Theme.scale
    readonly property string error: ApplyWizard.errors[key] || ""
    readonly property alias input: loader.item

    spacing: 6 * fontScale
    Layout.fillWidth: true
    Layout.preferredWidth: 400
    Layout.alignment: Qt.AlignTop

    // Enter: the page that holds the field moves on (one behaviour for every field)
    signal advanceRequested()

    RowLayout {
        spacing: 4
        Label {
            text: root.label
            textFormat: Text.PlainText
            font.pixelSize: Theme.px(26)
            font.bold: true
            color: Theme.text
        }
        Label { textFormat: Text.PlainText;
            visible: root.required
            text: qsTr("（必填）")
            font.pixelSize: Theme.px(22)
            color: Theme.highlight
        }
    }

    Loader {
        id: loader
        Layout.fillWidth: true
        Layout.preferredHeight: root.multiline ? 170 * root.fontScale : 80 * root.fontScale
        sourceComponent: root.multiline ? areaComponent : lineComponent
    }

    Component {
        id: lineComponent
        TextField {
            id: line
            objectName: "applyField-" + root.key
            text: ApplyWizard.values[root.key] || ""
            placeholderText: root.hint
            placeholderTextColor: "#8a94a3"
            inputMethodHints: root.inputHints
            // a pad field is typed on KeyPad: read-only to the system keyboard; it draws its own cursor
            // (PadCursor), always at the end, where the pad types
            readOnly: root.pad !== ""
            cursorVisible: activeFocus && root.pad === ""
            selectByMouse: root.pad === ""
            onCursorPositionChanged: if (root.pad !== "") KeyEntry.keepAtEnd(this)
            PadCursor { field: line; objectName: "padCursor-" + root.key }
            font.pixelSize: 30 * root.fontScale
            color: Theme.text
            // set, not left to the text: a name in Uyghur (right to left) starts at the left edge like
            // every other field of the form; the name itself still reads right to left
            horizontalAlignment: TextInput.AlignLeft
            leftPadding: 18
            rightPadding: 18
            background: Rectangle {
                radius: 10
                color: "#ffffff"
                border.width: parent.activeFocus || root.error ? 3 : 2
                border.color: root.error ? Theme.highlight : (parent.activeFocus ? Theme.primary : "#9aa5b1")
            }
            onActiveFocusChanged: {
                if (activeFocus && root.pad !== "") KeyEntry.open(this, root.pad)
                else if (!activeFocus) KeyEntry.release(this)
            }
            Component.onDestruction: { KeyEntry.release(this); CharPicker.release(this) }
            onAccepted: root.advanceRequested()
            // Pinyin pre-edit text is committed on Enter or by picking a candidate; keep the model in step.
            onTextChanged: if (text !== (ApplyWizard.values[root.key] || "")) ApplyWizard.setValue(root.key, text)
        }
    }

    Component {
        id: areaComponent
        ScrollView {
            TextArea {
                objectName: "applyField-" + root.key
                text: ApplyWizard.values[root.key] || ""
                placeholderText: root.hint
                placeholderTextColor: "#8a94a3"
                inputMethodHints: root.inputHints
                textFormat: TextEdit.PlainText
                wrapMode: TextEdit.Wrap
                horizontalAlignment: TextEdit.AlignLeft   // as the line fields: whatever the script
                font.pixelSize: 30 * root.fontScale
                color: Theme.text
                leftPadding: 18
                rightPadding: 18
                background: Rectangle {
                    radius: 10
                    color: "#ffffff"
                    border.width: parent.activeFocus || root.error ? 3 : 2
                    border.color: root.error ? Theme.highlight : (parent.activeFocus ? Theme.primary : "#9aa5b1")
                }
                onTextChanged: if (text !== (ApplyWizard.values[root.key] || "")) ApplyWizard.setValue(root.key, text)
            }
        }
    }

    KioskButton {
        objectName: "charFinderOpen-" + root.key
        visible: root.personName
        tone: "light"; text: qsTr("找不到字？按部首或部件查找")
        fontSize: Theme.fontSmall
        onClicked: CharPicker.open(root.input)
    }

    Label {
        objectName: "applyError-" + root.key
        visible: root.error !== ""
        text: root.error
        textFormat: Text.PlainText
        color: Theme.highlight
        font.pixelSize: Theme.px(24)
        wrapMode: Text.Wrap
        Layout.fillWidth: true
    }
}
