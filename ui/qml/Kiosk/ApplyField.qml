// One labelled input of the application wizard: the label, the field, and the core's error message
// for it in plain Chinese right below (red, with the field outlined). objectNames: applyField-<key>,
// applyError-<key>.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

ColumnLayout {
    id: root
    required property var wizard          // the ApplyWizard view-model
    required property string key          // the core's dotted field path, e.g. "applicant.name"
    property string label: ""
    property string hint: ""               // greyed example inside the empty field
    property bool required: false
    property bool multiline: false
    property int inputHints: Qt.ImhNone
    property string extraKey: ""            // e.g. "X": a key button beside the field
    property real fontScale: Theme.scale
    readonly property string error: wizard ? (wizard.errors[key] || "") : ""
    readonly property alias input: loader.item
    signal focusedField(Item item)

    spacing: 6 * fontScale
    Layout.fillWidth: true
    Layout.preferredWidth: 400
    Layout.alignment: Qt.AlignTop

    RowLayout {
        spacing: 4
        Label {
            text: root.label
            font.pixelSize: 26 * root.fontScale
            font.bold: true
            color: Theme.text
        }
        Label {
            visible: root.required
            text: qsTr("（必填）")
            font.pixelSize: 22 * root.fontScale
            color: Theme.highlight
        }
    }

    RowLayout {
        Layout.fillWidth: true
        spacing: 12
        Loader {
            id: loader
            Layout.fillWidth: true
            Layout.preferredHeight: root.multiline ? 170 * root.fontScale : 80 * root.fontScale
            sourceComponent: root.multiline ? areaComponent : lineComponent
        }
        // A key the numeric pad lacks, beside the field (the X that ends some ID numbers).
        AbstractButton {
            objectName: "applyExtraKey-" + root.key
            visible: root.extraKey !== ""
            Layout.preferredWidth: 96 * Math.min(root.fontScale, 1.3)
            Layout.preferredHeight: 80 * root.fontScale
            focusPolicy: Qt.NoFocus
            onClicked: {
                var field = loader.item
                field.forceActiveFocus()
                field.insert(field.cursorPosition, root.extraKey)
            }
            background: Rectangle {
                radius: 10
                color: parent.down ? "#D9D1C2" : "#FFFFFF"
                border.width: 2
                border.color: Theme.primary
            }
            contentItem: Text {
                text: root.extraKey
                horizontalAlignment: Text.AlignHCenter
                verticalAlignment: Text.AlignVCenter
                font.pixelSize: 34 * root.fontScale
                font.bold: true
                color: Theme.primary
            }
        }
    }

    Component {
        id: lineComponent
        TextField {
            objectName: "applyField-" + root.key
            text: root.wizard ? (root.wizard.values[root.key] || "") : ""
            placeholderText: root.hint
            placeholderTextColor: "#8a94a3"
            inputMethodHints: root.inputHints
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
            onActiveFocusChanged: if (activeFocus) root.focusedField(root)
            // Pinyin pre-edit text is committed on Enter or by picking a candidate; keep the model in step.
            onTextChanged: if (root.wizard && text !== (root.wizard.values[root.key] || "")) root.wizard.setValue(root.key, text)
        }
    }

    Component {
        id: areaComponent
        ScrollView {
            TextArea {
                objectName: "applyField-" + root.key
                text: root.wizard ? (root.wizard.values[root.key] || "") : ""
                placeholderText: root.hint
                placeholderTextColor: "#8a94a3"
                inputMethodHints: root.inputHints
                wrapMode: TextEdit.Wrap
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
                onActiveFocusChanged: if (activeFocus) root.focusedField(root)
                onTextChanged: if (root.wizard && text !== (root.wizard.values[root.key] || "")) root.wizard.setValue(root.key, text)
            }
        }
    }

    Label {
        objectName: "applyError-" + root.key
        visible: root.error !== ""
        text: root.error
        color: Theme.highlight
        font.pixelSize: 24 * root.fontScale
        wrapMode: Text.Wrap
        Layout.fillWidth: true
    }
}
