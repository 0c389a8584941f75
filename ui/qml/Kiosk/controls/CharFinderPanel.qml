// The rare-character finder (找字), over the whole screen while CharPicker.active: a character the
// Pinyin keyboard does not offer (𬭎) is found as in a paper dictionary's 部首检字 — tap the radical (钅),
// then the strokes beyond it (7 画), then the character — or by typing a part of it in pinyin (宏) or its
// reading (hong, committed as letters by the keyboard's ⏎), alone or with a radical.
// The chosen character goes into the name field at its cursor (CharPicker.choose). Main.qml keeps the
// panel under the keyboard but over the keyboard's 返回/首页 bar (z), so while the parts are typed the
// way out is the finder's own 返回填写 (nothing behind it moves); the content ends above the keyboard
// (bottomInset), and where that leaves too little room (`cramped`) the parts row joins the bar.
// The candidates fill the room they get: as many rows and columns as fit, stretched to fill it.
// objectNames: charFinder, charFinderClose, charFinderParts, charFinderPartsClear, charFinderHideKeyboard,
// charCommonRadical-<number> (the everyday radicals, first), charRadical-<number> (all, by strokes),
// charStrokes-all, charStrokes-<n>, charCandidate-<character>, charPagePrev, charPageNext.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import Kiosk
import Kiosk.Backend

Rectangle {
    id: finder
    objectName: "charFinder"
    property real bottomInset: 0
    readonly property real s: Theme.scale
    readonly property bool portrait: Theme.portrait
    readonly property int tile: Math.max(72, Math.round(84 * s))            // radical and stroke targets
    // a candidate: its glyph over its reading. cellW × cellH is the smallest cell; the grid fits as many
    // rows and columns of these as its room holds and stretches them to fill it (no empty band)
    readonly property int glyphPx: Theme.largeText ? 76 : 64
    readonly property int glyphBox: Math.round(glyphPx * 1.2)
    readonly property int readingBox: Math.round(Theme.fontSmall * 1.4)
    readonly property int cellW: Math.round(118 * s)
    readonly property int cellH: glyphBox + readingBox + 12
    // portrait: the candidates get room for at least this many rows of the smallest cells before the
    // radicals take more than the few rows they need (large text: the strokes then keep two rows)
    readonly property int minRows: 3
    readonly property int strokeRows: Theme.largeText ? 2 : 3
    // The keyboard up over a short screen (landscape in large text): the room above it cannot hold the
    // title bar, the parts row, its hint, a row of candidates with the pager under it and the staff
    // hint. Then the parts row moves into the bar (beside 返回填写), the radicals, the strokes and the
    // staff hint step aside until the keyboard goes down, and the pager stands beside the candidates.
    readonly property int roomNeeded: (tile + 2 * Theme.gap) + Theme.gap + tile + Theme.gap / 2 + 2 * Theme.fontSmall
                                      + Theme.gap + cellH + Theme.gap / 2 + Theme.target + Theme.gap
                                      + Math.round(1.5 * Theme.fontLarge) + Theme.gap
    readonly property bool cramped: bottomInset > 0 && height - bottomInset < roomNeeded

    visible: CharPicker.active
    color: Theme.pageBg
    // each opening starts afresh: what was chosen or typed last time (parts of a name) is not kept
    onVisibleChanged: {
        if (visible) { CharFinder.prepare(); radicalFlick.contentY = 0; return }
        partsField.focus = false
        partsField.clear()
        CharFinder.reset()
    }
    MouseArea { anchors.fill: parent }   // taps between the controls never reach the form underneath

    Connections {   // whatever leaves the form (the idle timeout going home) takes the finder with it
        target: Nav
        function onBackRequested() { CharPicker.close() }
        function onHomeRequested() { CharPicker.close() }
    }

    Rectangle {
        id: bar
        anchors { left: parent.left; right: parent.right; top: parent.top }
        height: finder.tile + 2 * Theme.gap
        color: finder.cramped ? "transparent" : Theme.headerBg
        Text {
            visible: !finder.cramped   // the parts row takes its place
            anchors { left: parent.left; leftMargin: Theme.margin; verticalCenter: parent.verticalCenter
                      right: closeButton.left; rightMargin: Theme.gap }
            text: qsTr("找字：按部首或部件查找")
            textFormat: Text.PlainText
            color: "#FFFFFF"
            font.pixelSize: Theme.fontTitle
            font.bold: true
            elide: Text.ElideRight
        }
        KioskButton {
            id: closeButton
            objectName: "charFinderClose"
            anchors { right: parent.right; rightMargin: Theme.margin; verticalCenter: parent.verticalCenter }
            tone: "gold"; glyph: "←"; text: qsTr("返回填写")
            onClicked: CharPicker.close()
        }
    }

    Column {
        id: intro
        anchors { left: parent.left; right: parent.right; top: finder.cramped ? bar.top : bar.bottom
                  margins: Theme.margin; topMargin: Theme.gap
                  rightMargin: finder.cramped ? closeButton.width + 2 * Theme.margin : Theme.margin }
        spacing: Theme.gap / 2
        Text {
            visible: finder.bottomInset === 0   // while typing, the room goes to the candidates
            width: parent.width
            text: qsTr("先点这个字的部首（偏旁），再点部首以外的笔画数，然后点要找的字。")
            textFormat: Text.PlainText
            wrapMode: Text.Wrap
            color: Theme.text
            font.pixelSize: Theme.fontBody
        }
        Flow {   // the label on a line of its own where the field and its buttons would not fit beside it
            spacing: Theme.gap
            width: parent.width
            Text {
                id: partsLabel
                visible: !finder.cramped   // the field's own example says it
                height: finder.tile
                verticalAlignment: Text.AlignVCenter
                text: qsTr("也可以打出读音或字里的一部分：")
                textFormat: Text.PlainText
                color: Theme.text
                font.pixelSize: Theme.fontBody
                font.bold: true
            }
            TextField {
                id: partsField
                objectName: "charFinderParts"
                width: Math.min(Math.round(360 * finder.s), parent.width - 2 * clearParts.width - 2 * Theme.gap)
                height: finder.tile
                placeholderText: qsTr("例如 hong 或“宏”")
                placeholderTextColor: "#8a94a3"
                font.pixelSize: Theme.fontLarge
                color: Theme.text
                leftPadding: 18
                background: Rectangle {
                    radius: 10
                    color: "#ffffff"
                    border.width: partsField.activeFocus ? 3 : 2
                    border.color: partsField.activeFocus ? Theme.primary : "#9aa5b1"
                }
                onTextChanged: CharFinder.setParts(text)
                onAccepted: focus = false
            }
            KioskButton {
                id: clearParts
                objectName: "charFinderPartsClear"
                tone: "light"; text: qsTr("清除")
                enabled: partsField.text !== ""
                onClicked: partsField.clear()
            }
            KioskButton {
                objectName: "charFinderHideKeyboard"
                visible: partsField.activeFocus
                tone: "gold"; text: qsTr("收起键盘")
                onClicked: partsField.focus = false
            }
        }
        Text {
            objectName: "charFinderReadingHint"
            visible: partsField.activeFocus
            width: parent.width
            text: qsTr("打读音：拼完字母后按键盘右下角的回车键 ⏎；打部分：像平时一样选字。")
            textFormat: Text.PlainText
            wrapMode: Text.Wrap
            color: Theme.textMuted
            font.pixelSize: Theme.fontSmall
        }
    }

    Text {
        id: staffHint
        visible: !finder.cramped
        anchors { left: parent.left; right: parent.right; bottom: parent.bottom; margins: Theme.margin
                  bottomMargin: Theme.gap + finder.bottomInset }
        text: qsTr("如仍找不到，请询问工作人员")
        textFormat: Text.PlainText
        horizontalAlignment: Text.AlignHCenter
        color: Theme.highlight
        font.pixelSize: Theme.fontLarge
        font.bold: true
    }

    Item {
        id: body
        anchors { left: parent.left; right: parent.right; top: intro.bottom
                  bottom: finder.cramped ? parent.bottom : staffHint.top
                  leftMargin: Theme.margin; rightMargin: Theme.margin; topMargin: Theme.gap
                  bottomMargin: finder.cramped ? Theme.gap + finder.bottomInset : Theme.gap }

        // the radicals, grouped by their own strokes (a dictionary's 部首目录)
        Rectangle {
            id: radicalPane
            visible: !finder.cramped
            x: 0; y: 0
            // portrait: a third of the height, less where the candidates would otherwise get fewer
            // than minRows rows, but never less than the first group's label and two rows of tiles
            readonly property int leastHeight: Math.round(Theme.fontSmall * 1.5) + 2 * finder.tile + 6 + Theme.gap
            readonly property int candidatesNeed: finder.minRows * (finder.cellH + 8) + Theme.gap + Theme.target
            width: finder.portrait ? body.width : Math.round(body.width * 0.36)
            height: finder.portrait
                    ? Math.min(Math.round(body.height * 0.36),
                               Math.max(leastHeight, body.height - strokePane.reserve - 2 * Theme.gap - candidatesNeed))
                    : body.height
            radius: Theme.radius
            color: Theme.cardBg
            border.color: Theme.cardBorder
            border.width: Theme.cardBorderWidth
            clip: true
            Flickable {
                id: radicalFlick
                anchors { fill: parent; margins: Theme.gap / 2 }
                contentHeight: radicalColumn.height
                boundsBehavior: Flickable.StopAtBounds
                ScrollBar.vertical: ScrollBar { policy: ScrollBar.AlwaysOn; width: 14 }
                Column {
                    id: radicalColumn
                    width: radicalFlick.width - 20
                    spacing: Theme.gap / 2
                    Text {
                        visible: !CharFinder.ready
                        text: qsTr("正在准备字表…")
                        textFormat: Text.PlainText
                        color: Theme.textMuted
                        font.pixelSize: Theme.fontBody
                    }
                    Repeater {
                        model: CharFinder.radicalGroups
                        delegate: Column {
                            id: group
                            required property var modelData
                            width: radicalColumn.width
                            spacing: 6
                            Text {
                                text: group.modelData.common ? qsTr("常用部首") : qsTr("%1 画").arg(group.modelData.strokes)
                                textFormat: Text.PlainText
                                color: Theme.textMuted
                                font.pixelSize: Theme.fontSmall
                                font.bold: true
                            }
                            Flow {
                                width: group.width
                                spacing: 8
                                Repeater {
                                    model: group.modelData.radicals
                                    delegate: FinderTile {
                                        required property var modelData
                                        objectName: (group.modelData.common ? "charCommonRadical-" : "charRadical-") + modelData.number
                                        text: modelData.label
                                        size: finder.tile
                                        glyphSize: Math.round(40 * finder.s)
                                        selected: CharFinder.radical === modelData.number
                                        onClicked: CharFinder.chooseRadical(modelData.number)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }

        // the strokes beyond the chosen radical: a column beside the radicals (landscape) or rows under
        // them (portrait), scrolled when they do not all fit
        Flickable {
            id: strokePane
            readonly property int chipWidth: finder.tile + Math.round(12 * finder.s)
            readonly property int reserve: finder.strokeRows * (finder.tile + 8) - 8   // portrait: rows shown at most
            visible: CharFinder.radical !== "" && !finder.cramped
            x: finder.portrait ? 0 : radicalPane.width + Theme.gap
            y: finder.portrait ? radicalPane.height + Theme.gap : 0
            width: finder.portrait ? body.width : 2 * chipWidth + 8 + 18
            height: finder.portrait ? Math.min(strokeFlow.height, reserve) : body.height
            contentHeight: strokeFlow.height
            boundsBehavior: Flickable.StopAtBounds
            clip: true
            ScrollBar.vertical: ScrollBar { policy: strokePane.contentHeight > strokePane.height ? ScrollBar.AlwaysOn : ScrollBar.AsNeeded; width: 14 }
            Flow {
                id: strokeFlow
                width: strokePane.width - 18
                spacing: 8
                Text {
                    width: finder.portrait ? implicitWidth : strokeFlow.width
                    height: finder.tile
                    verticalAlignment: Text.AlignVCenter
                    wrapMode: Text.Wrap
                    text: qsTr("「%1」以外还有几画？").arg(CharFinder.radicalLabel)
                    textFormat: Text.PlainText
                    color: Theme.text
                    font.pixelSize: finder.portrait ? Theme.fontBody : Theme.fontSmall
                    font.bold: true
                }
                FinderTile {
                    objectName: "charStrokes-all"
                    text: qsTr("全部")
                    size: finder.tile
                    width: strokePane.chipWidth
                    glyphSize: Theme.fontBody
                    selected: CharFinder.strokes < 0
                    onClicked: CharFinder.chooseStrokes(-1)
                }
                Repeater {
                    model: CharFinder.strokeGroups
                    delegate: FinderTile {
                        required property var modelData
                        objectName: "charStrokes-" + modelData.strokes
                        text: qsTr("%1画").arg(modelData.strokes)
                        size: finder.tile
                        width: strokePane.chipWidth
                        glyphSize: Theme.fontBody
                        selected: CharFinder.strokes === modelData.strokes
                        onClicked: CharFinder.chooseStrokes(modelData.strokes)
                    }
                }
            }
        }

        // the candidates, a page at a time
        Item {
            id: resultPane
            x: finder.cramped || finder.portrait ? 0
               : (strokePane.visible ? strokePane.x + strokePane.width : radicalPane.width) + Theme.gap
            y: finder.cramped || !finder.portrait ? 0
               : (strokePane.visible ? strokePane.y + strokePane.height : radicalPane.height) + Theme.gap
            width: body.width - x
            height: body.height - y

            Item {
                id: gridArea
                anchors { left: parent.left; top: parent.top
                          right: finder.cramped ? pager.left : parent.right
                          rightMargin: finder.cramped ? Theme.gap : 0
                          bottom: finder.cramped ? parent.bottom : pager.top
                          bottomMargin: finder.cramped ? 0 : Theme.gap / 2 }
                readonly property int columns: Math.max(1, Math.floor((width + 8) / (finder.cellW + 8)))
                readonly property int rows: Math.max(1, Math.floor((height + 8) / (finder.cellH + 8)))
                readonly property int cellWidth: Math.floor((width + 8) / columns) - 8
                readonly property int cellHeight: Math.max(finder.cellH, Math.floor((height + 8) / rows) - 8)
                onColumnsChanged: CharFinder.pageSize = columns * rows
                onRowsChanged: CharFinder.pageSize = columns * rows
                Component.onCompleted: CharFinder.pageSize = columns * rows

                Text {
                    anchors { left: parent.left; right: parent.right; top: parent.top }
                    visible: CharFinder.ready && CharFinder.total === 0
                    text: CharFinder.radical === "" && CharFinder.parts === "" && CharFinder.reading === ""
                          ? qsTr("请先点部首，或打出读音或字的一部分。")
                          : qsTr("没有找到这样的字。可以换一个部首、笔画数或部分再试。")
                    textFormat: Text.PlainText
                    wrapMode: Text.Wrap
                    color: Theme.textMuted
                    font.pixelSize: Theme.fontLarge
                }
                Grid {
                    columns: gridArea.columns
                    spacing: 8
                    Repeater {
                        model: CharFinder.candidates
                        delegate: AbstractButton {
                            id: cell
                            required property var modelData
                            objectName: "charCandidate-" + modelData.char
                            width: gridArea.cellWidth
                            height: gridArea.cellHeight
                            focusPolicy: Qt.NoFocus
                            onClicked: CharPicker.choose(modelData.char)
                            background: Rectangle {
                                radius: Theme.radius
                                color: cell.pressed ? "#E3ECF7" : Theme.cardBg
                                border.color: Theme.primary
                                border.width: Theme.cardBorderWidth + 1
                            }
                            contentItem: Item {
                                Column {
                                    anchors.centerIn: parent
                                    Text {   // a box a little over the glyph's em: its line's leading is not needed
                                        width: cell.width
                                        height: finder.glyphBox
                                        horizontalAlignment: Text.AlignHCenter
                                        verticalAlignment: Text.AlignVCenter
                                        text: cell.modelData.char
                                        textFormat: Text.PlainText
                                        color: Theme.text
                                        font.pixelSize: finder.glyphPx
                                    }
                                    Text {
                                        width: cell.width
                                        height: finder.readingBox
                                        horizontalAlignment: Text.AlignHCenter
                                        verticalAlignment: Text.AlignVCenter
                                        text: cell.modelData.reading
                                        textFormat: Text.PlainText
                                        color: Theme.textMuted
                                        font.pixelSize: Theme.fontSmall
                                    }
                                }
                            }
                        }
                    }
                }
            }

            Row {
                id: pager
                // under the candidates, or (cramped) at the right end of their one row
                x: finder.cramped ? parent.width - width : Math.round((parent.width - width) / 2)
                y: finder.cramped ? 0 : parent.height - height
                spacing: Theme.gap
                visible: CharFinder.total > 0
                KioskButton {
                    objectName: "charPagePrev"
                    tone: "light"; text: qsTr("上一页")
                    enabled: CharFinder.page > 0
                    onClicked: CharFinder.previousPage()
                }
                Text {
                    anchors.verticalCenter: parent.verticalCenter
                    text: qsTr("第 %1 / %2 页（共 %3 个字）").arg(CharFinder.page + 1).arg(CharFinder.pageCount).arg(CharFinder.total)
                    textFormat: Text.PlainText
                    color: Theme.text
                    font.pixelSize: Theme.fontBody
                }
                KioskButton {
                    objectName: "charPageNext"
                    tone: "light"; text: qsTr("下一页")
                    enabled: CharFinder.page + 1 < CharFinder.pageCount
                    onClicked: CharFinder.nextPage()
                }
            }
        }
    }
}
