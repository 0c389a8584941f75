// The kiosk's own style for Qt Virtual Keyboard ("kiosk", chosen in Main.qml through
// VirtualKeyboardSettings.styleName; found under this import path as
// QtQuick/VirtualKeyboard/Styles/kiosk/kioskStyle.qml). Written for this project against the documented
// KeyboardStyle API (the styles that ship with Qt are GPL/commercial and are not copied here).
//
// For old eyes: bold key labels at about 40 % of the key's height, letters shown as capitals in Pinyin
// (where case does not matter, as on a physical keyboard), the special keys named in words (删除, 空格,
// 收起, 符号, 中/英, and the Enter key's action: 搜索, 下一项, 确定), a candidate bar of at least 88 px with
// characters of 44 px or more (52 px in large-text mode), and everything larger in large-text mode
// (Theme.largeText reaches the keyboard: it is read here). Paging through candidates (上一页/下一页)
// lives in Main.qml beside the bar, because a style's items scroll with the list.
import QtQuick
import QtQuick.VirtualKeyboard
import QtQuick.VirtualKeyboard.Styles
import Kiosk

KeyboardStyle {
    id: kioskStyle

    readonly property bool large: Theme.largeText
    readonly property string face: Theme.fontFamily
    // the height of one row of keys (four rows), from which every size below follows
    readonly property real rowHeight: keyboardHeight / 4
    readonly property real gap: Math.max(4, Math.round(rowHeight * 0.07))
    readonly property int labelSize: Math.round(rowHeight * (large ? 0.46 : 0.42))
    readonly property int wordSize: Math.round(rowHeight * (large ? 0.34 : 0.30))
    readonly property int candidateSize: large ? 52 : 44
    readonly property bool pinyin: InputContext.inputEngine.inputMode === InputEngine.InputMode.Pinyin

    readonly property color boardColor: large ? "#000000" : "#1F2630"
    readonly property color keyColor: large ? "#FFFFFF" : "#F4F6F8"
    readonly property color keyText: "#0B0F14"
    readonly property color actionColor: large ? "#D7DEE8" : "#C9D3DF"
    readonly property color accentColor: Theme.accent
    readonly property color pressedColor: "#9FB4CC"
    readonly property color barColor: large ? "#FFFFFF" : "#FFFDF7"

    // taller than Qt's default for its width in portrait and in large text: bigger keys for unsure fingers
    // (landscape in standard type keeps the default ratio: results stay readable above it)
    keyboardDesignWidth: 2560
    keyboardDesignHeight: large ? 1000 : Theme.portrait ? 900 : 800
    keyboardRelativeLeftMargin: 8 / keyboardDesignWidth
    keyboardRelativeRightMargin: 8 / keyboardDesignWidth
    keyboardRelativeTopMargin: 8 / keyboardDesignHeight
    keyboardRelativeBottomMargin: 8 / keyboardDesignHeight

    keyboardBackground: Rectangle { color: kioskStyle.boardColor }

    // One face for every key: a rounded plate (pressed: darker) with a bold label. An inline component
    // does not see this file's ids, so each plate is handed the style (`kb`).
    component Plate: Rectangle {
        id: plate
        required property KeyboardStyle kb
        property BaseKey key
        property color base: kb.keyColor
        property string label: ""
        property int size: kb.labelSize
        property bool allCaps: false
        anchors.fill: parent
        anchors.margins: kb.gap
        radius: Math.round(kb.rowHeight * 0.1)
        color: key && key.pressed ? kb.pressedColor : base
        border.width: kb.large ? 3 : 1
        border.color: kb.large ? "#FFFFFF" : "#8792A0"
        opacity: key && !key.enabled ? 0.45 : 1
        Text {
            anchors.fill: parent
            anchors.margins: 4
            text: plate.label
            textFormat: Text.PlainText
            color: plate.kb.keyText
            horizontalAlignment: Text.AlignHCenter
            verticalAlignment: Text.AlignVCenter
            fontSizeMode: Text.Fit
            minimumPixelSize: 14
            font.family: plate.kb.face
            font.pixelSize: plate.size
            font.bold: true
            font.capitalization: plate.allCaps ? Font.AllUppercase : Font.MixedCase
        }
    }

    keyPanel: KeyPanel {
        id: keyPanel
        Plate {
            kb: kioskStyle
            key: keyPanel.control
            label: keyPanel.control.displayText
            allCaps: keyPanel.control.uppercased || kioskStyle.pinyin
        }
        Text {
            visible: keyPanel.control.smallTextVisible && keyPanel.control.smallText !== ""
            anchors { right: parent.right; top: parent.top; margins: kioskStyle.gap * 2 }
            text: keyPanel.control.smallText
            textFormat: Text.PlainText
            color: "#4A5563"
            font.family: kioskStyle.face
            font.pixelSize: Math.round(kioskStyle.labelSize * 0.45)
            font.bold: true
        }
    }
    backspaceKeyPanel: KeyPanel {
        id: backspacePanel
        Plate { kb: kioskStyle; key: backspacePanel.control; base: kioskStyle.actionColor; label: qsTr("删除"); size: kioskStyle.wordSize }
    }
    languageKeyPanel: KeyPanel {
        id: languagePanel
        Plate { kb: kioskStyle; key: languagePanel.control; base: kioskStyle.actionColor; size: kioskStyle.wordSize
                label: InputContext.locale.indexOf("zh") === 0 ? qsTr("中/英") : qsTr("英/中") }
    }
    enterKeyPanel: KeyPanel {
        id: enterPanel
        Plate {
            kb: kioskStyle
            key: enterPanel.control
            base: kioskStyle.accentColor
            size: kioskStyle.wordSize
            label: enterPanel.control.displayText !== "" && enterPanel.control.actionId !== EnterKeyAction.None
                   ? enterPanel.control.displayText
                   : enterPanel.control.actionId === EnterKeyAction.Search ? qsTr("搜索")
                   : enterPanel.control.actionId === EnterKeyAction.Next ? qsTr("下一项")
                   : enterPanel.control.actionId === EnterKeyAction.Send ? qsTr("发送")
                   : qsTr("确定")
        }
    }
    hideKeyPanel: KeyPanel {
        id: hidePanel
        Plate { kb: kioskStyle; key: hidePanel.control; base: kioskStyle.actionColor; label: qsTr("收起"); size: kioskStyle.wordSize }
    }
    shiftKeyPanel: KeyPanel {
        id: shiftPanel
        Plate {
            kb: kioskStyle
            key: shiftPanel.control
            base: InputContext.capsLockActive || InputContext.shiftActive ? kioskStyle.accentColor : kioskStyle.actionColor
            label: InputContext.capsLockActive ? qsTr("大写锁定") : qsTr("大写")
            size: kioskStyle.wordSize
        }
    }
    spaceKeyPanel: KeyPanel {
        id: spacePanel
        Plate { kb: kioskStyle; key: spacePanel.control; label: qsTr("空格"); size: kioskStyle.wordSize }
    }
    symbolKeyPanel: KeyPanel {
        id: symbolPanel
        Plate { kb: kioskStyle; key: symbolPanel.control; base: kioskStyle.actionColor; size: kioskStyle.wordSize
                label: symbolPanel.control.displayText.indexOf("123") >= 0 ? qsTr("符号") : qsTr("字母") }
    }
    modeKeyPanel: KeyPanel {
        id: modePanel
        Plate { kb: kioskStyle; key: modePanel.control; base: modePanel.control.mode ? kioskStyle.accentColor : kioskStyle.actionColor
                label: modePanel.control.displayText; size: kioskStyle.wordSize }
    }
    handwritingKeyPanel: KeyPanel {
        id: handwritingPanel
        Plate { kb: kioskStyle; key: handwritingPanel.control; base: kioskStyle.actionColor; label: qsTr("手写"); size: kioskStyle.wordSize }
    }

    // the bubble above a pressed key: the letter, very large
    characterPreviewMargin: 0
    characterPreviewDelegate: Item {
        id: preview
        property string text
        Rectangle {
            anchors.fill: parent
            radius: 10
            color: Theme.primary
            Text {
                anchors.fill: parent
                text: preview.text
                textFormat: Text.PlainText
                color: "#FFFFFF"
                horizontalAlignment: Text.AlignHCenter
                verticalAlignment: Text.AlignVCenter
                fontSizeMode: Text.Fit
                font.family: kioskStyle.face
                font.pixelSize: Math.round(kioskStyle.labelSize * 1.5)
                font.bold: true
            }
        }
    }

    // the accented letters a long press offers
    alternateKeysListItemWidth: Math.round(kioskStyle.rowHeight * 0.9)
    alternateKeysListItemHeight: Math.round(kioskStyle.rowHeight * 1.1)
    alternateKeysListDelegate: Item {
        id: alternate
        width: kioskStyle.alternateKeysListItemWidth
        height: kioskStyle.alternateKeysListItemHeight
        Text {
            anchors.centerIn: parent
            text: model.text
            textFormat: Text.PlainText
            color: "#FFFFFF"
            font.family: kioskStyle.face
            font.pixelSize: kioskStyle.labelSize
            font.bold: true
        }
    }
    alternateKeysListHighlight: Rectangle { color: Theme.accent; radius: 8 }
    alternateKeysListBackground: Rectangle { color: Theme.primary; radius: 8 }

    // the Pinyin candidates: a tall bar, big characters, clear separators
    selectionListHeight: kioskStyle.large ? 100 : 88
    selectionListDelegate: SelectionListItem {
        id: candidate
        width: Math.max(kioskStyle.selectionListHeight, label.implicitWidth + 2 * Math.round(kioskStyle.candidateSize * 0.6))
        Text {
            id: label
            anchors.centerIn: parent
            text: display
            textFormat: Text.PlainText
            color: kioskStyle.keyText
            font.family: kioskStyle.face
            font.pixelSize: kioskStyle.candidateSize
            font.bold: index === 0
        }
        Rectangle {
            anchors { right: parent.right; verticalCenter: parent.verticalCenter }
            width: 2
            height: parent.height * 0.6
            color: "#B8C0CA"
        }
    }
    selectionListHighlight: Rectangle { color: "#E3ECF7" }
    selectionListBackground: Rectangle {
        color: kioskStyle.barColor
        Rectangle { anchors { left: parent.left; right: parent.right; top: parent.top } height: 2; color: Theme.primary }
    }
    selectionListAdd: Transition { }
    selectionListRemove: Transition { }

    navigationHighlight: Rectangle { color: "transparent"; border.color: Theme.focusRing; border.width: 5 }

    // the list a long press on a candidate (or, in full-screen mode, the word list) shows
    popupListDelegate: SelectionListItem {
        id: popupItem
        width: popupLabel.implicitWidth + kioskStyle.candidateSize
        height: popupLabel.implicitHeight + kioskStyle.candidateSize * 0.5
        Text {
            id: popupLabel
            anchors.centerIn: parent
            text: display
            textFormat: Text.PlainText
            color: "#FFFFFF"
            font.family: kioskStyle.face
            font.pixelSize: kioskStyle.candidateSize
            font.bold: true
        }
    }
    popupListHighlight: Rectangle { color: Theme.accent }
    popupListBackground: Rectangle { color: Theme.primary; radius: 8 }
    popupListAdd: Transition { }
    popupListRemove: Transition { }

    // the language key switches between 中 and 英 in one tap (no list to choose from)
    languagePopupListEnabled: false

    selectionHandle: Rectangle { width: 20; height: 20; radius: 10; color: Theme.primary }
    fullScreenInputContainerBackground: Rectangle { color: kioskStyle.barColor }
    fullScreenInputBackground: Item { }
    fullScreenInputMargins: 20
    fullScreenInputPadding: 0
    fullScreenInputCursor: Rectangle { width: 3; color: Theme.primary; visible: parent.blinkStatus }
    fullScreenInputColor: kioskStyle.keyText
    fullScreenInputFont.pixelSize: kioskStyle.candidateSize
}
