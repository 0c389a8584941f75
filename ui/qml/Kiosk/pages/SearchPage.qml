// Search: results as the resident types (pinyin through the on-screen keyboard), highlighted snippets,
// filters, recent and popular searches, and something to try when nothing is found.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtQuick.VirtualKeyboard
import Kiosk
import Kiosk.Backend

KioskPage {
    id: page
    objectName: "searchPage"
    route: "search"
    property string initialQuery: ""
    ready: field.text === "" || (results.answeredQuery === results.query && !results.busy)

    SearchModel { id: results }
    CategoryModel { id: types; facet: "type" }
    function typeName(code) {
        for (let i = 0; i < types.count; i++) if (types.codeAt(i) === code) return types.nameAt(i)
        return qsTr("全部")
    }
    function yearChoices() {
        var now = new Date().getFullYear(), out = [{label: qsTr("全部年份"), value: 0}]
        for (let y = now; y > now - 12; y--) out.push({label: y + qsTr("年"), value: y})
        return out
    }
    Component.onCompleted: if (initialQuery !== "") field.text = initialQuery
    // arriving with nothing typed: the cursor is in the field and the keyboard is up
    StackView.onActivated: if (field.text === "") { field.forceActiveFocus(); InputMethod.show() }
    // Popped (not just covered by a document): let go of the results now. At the end of a visit they are
    // wiped right after the pop; a row the list was still making in the background for rows that are
    // then removed makes Qt warn when the list is torn down (DelegateModel::cancel: index out range).
    StackView.onDeactivating: if (StackView.view && StackView.index >= StackView.view.depth) list.model = null
    Connections { target: Terminal; function onVisitEnded() { field.clear() } }
    // 搜索 on the keyboard with pinyin still pending: the keyboard commits the letters (dibao) and the
    // field never sees Enter; one tap should still search, so the keyboard steps aside here as well
    Connections {
        target: InputContext.inputEngine
        function onVirtualKeyClicked(key, text, modifiers, isAutoRepeat) {
            if (key === Qt.Key_Return && field.activeFocus)
                Qt.callLater(function () { results.commit(); InputMethod.hide() })
        }
    }

    ColumnLayout {
        anchors.fill: parent
        anchors.margins: Theme.margin * 0.75
        spacing: Theme.gap

        RowLayout {
            Layout.fillWidth: true
            spacing: Theme.gap
            TextField {
                id: field
                objectName: "searchField"
                Layout.fillWidth: true
                implicitHeight: Math.round(92 * Theme.scale)
                font.pixelSize: Theme.fontLarge
                leftPadding: 32
                placeholderText: qsTr("输入关键词、一句话或拼音，如：低保、怎么申请低保、dibao")
                placeholderTextColor: "#8A847A"
                inputMethodHints: Qt.ImhNoPredictiveText
                color: Theme.text
                background: Rectangle { radius: height / 2; color: Theme.cardBg; border.color: field.activeFocus ? Theme.focusRing : Theme.primary; border.width: 4 }
                // the keyboard's Enter key reads 搜索 here: it commits what is typed and shows the results
                EnterKeyAction.actionId: EnterKeyAction.Search
                EnterKeyAction.label: qsTr("搜索")
                onTextChanged: results.query = text
                onAccepted: { results.commit(); InputMethod.hide() }
            }
            // always there (greyed while empty), so the field and 键盘 never change place under a finger
            KioskButton { objectName: "clearSearch"; enabled: field.text !== ""; tone: "light"; text: qsTr("清空")
                          implicitHeight: field.implicitHeight; onClicked: { field.clear(); field.forceActiveFocus() } }
            TextMetrics { id: widestKeyLabel; text: qsTr("收起键盘"); font.pixelSize: Theme.fontBody; font.bold: true }
            KioskButton { objectName: "keyboardButton"; text: InputMethod.visible ? qsTr("收起键盘") : qsTr("键盘")
                          implicitHeight: field.implicitHeight
                          Layout.preferredWidth: Math.ceil(widestKeyLabel.advanceWidth) + leftPadding + rightPadding + 8
                          onClicked: { if (InputMethod.visible) InputMethod.hide(); else { field.forceActiveFocus(); InputMethod.show() } } }
        }

        // the filters step aside while the keyboard is up in landscape (the results get their height)
        Flow {
            objectName: "searchFilters"
            Layout.fillWidth: true
            spacing: 14
            visible: field.text !== "" && (Theme.portrait || !InputMethod.visible)
            Repeater {
                model: [{label: qsTr("全部"), value: DocumentStatus.Status.Any, name: "all"},
                        {label: qsTr("现行有效"), value: DocumentStatus.Status.InForce, name: "in_force"},
                        {label: qsTr("已修订"), value: DocumentStatus.Status.Amended, name: "amended"},
                        {label: qsTr("已废止"), value: DocumentStatus.Status.Repealed, name: "repealed"}]
                delegate: FilterChip { required property var modelData; objectName: "statusChip-" + modelData.name
                                       text: modelData.label; checked: results.status === modelData.value; onClicked: results.status = modelData.value }
            }
            FilterButton { objectName: "searchCategoryFilter"; label: qsTr("类别"); active: results.category !== ""
                           valueText: results.category === "" ? qsTr("全部") : page.typeName(results.category)
                           onClicked: {
                               var c = [{label: qsTr("全部类别"), value: ""}]
                               for (let i = 0; i < types.count; i++) c.push({label: types.nameAt(i), value: types.codeAt(i)})
                               picker.open3(qsTr("选择类别"), c, results.category, function (v) { results.category = v })
                           } }
            FilterButton { objectName: "searchYearFilter"; label: qsTr("年份"); active: results.year > 0
                           valueText: results.year > 0 ? String(results.year) : qsTr("全部")
                           onClicked: picker.open3(qsTr("选择年份"), page.yearChoices(), results.year, function (v) { results.year = v }) }
            Text { textFormat: Text.PlainText; text: results.answeredQuery !== "" ? qsTr("找到 %1 条").arg(results.total) : ""; objectName: "resultCount"
                   font.pixelSize: Theme.fontBody; color: Theme.textMuted; height: Theme.target; verticalAlignment: Text.AlignVCenter; leftPadding: 20 }
        }

        // nothing typed yet: recent and popular searches
        ColumnLayout {
            Layout.fillWidth: true
            visible: field.text === ""
            spacing: Theme.gap
            SectionTitle { visible: results.recent.length > 0; text: qsTr("最近搜索") }
            Flow { Layout.fillWidth: true; spacing: 14; visible: results.recent.length > 0
                   Repeater { model: results.recent; delegate: FilterChip { required property string modelData; text: modelData; onClicked: field.text = modelData } } }
            SectionTitle { text: qsTr("大家都在搜") }
            Flow { Layout.fillWidth: true; spacing: 14
                   Repeater { model: results.popular; delegate: FilterChip { required property string modelData; required property int index
                                                                            objectName: "popular-" + index; text: modelData; onClicked: field.text = modelData } } }
            Text { textFormat: Text.PlainText; Layout.fillWidth: true; wrapMode: Text.Wrap; font.pixelSize: Theme.fontBody; color: Theme.textMuted
                   text: qsTr("小提示：可以输入文件名称中的几个字、一句话（如“怎么申请低保”）、文号（如“娄星政发〔2026〕5号”），或拼音（如 dibao，首字母 lsjz 查“临时救助”）。") }
        }

        // a resident's word that sounds like what was typed (滴保, dibao → 低保): one tap searches it
        RowLayout {
            Layout.fillWidth: true
            visible: field.text !== "" && results.suggestion !== "" && results.answeredQuery === field.text
            spacing: 14
            Text { textFormat: Text.PlainText; text: qsTr("您是不是要找："); font.pixelSize: Theme.fontBody; color: Theme.text }
            FilterChip { objectName: "searchSuggestion"; text: results.suggestion; onClicked: field.text = results.suggestion }
            Item { Layout.fillWidth: true }
        }

        // only partial matches came back: say so before the list, so 部分匹配 rows are not taken for answers
        Text {
            objectName: "searchOnlyPartial"
            Layout.fillWidth: true
            visible: field.text !== "" && results.onlyPartial && results.answeredQuery === field.text
            text: qsTr("没有找到完全相符的内容，以下是相关的文件")
            textFormat: Text.PlainText
            wrapMode: Text.Wrap
            font.pixelSize: Theme.fontBody
            font.bold: true
            color: Theme.amended
        }

        ListView {
            id: list
            objectName: "resultList"
            Layout.fillWidth: true
            Layout.fillHeight: true
            visible: field.text !== ""
            clip: true
            spacing: 14
            model: results
            boundsBehavior: Flickable.StopAtBounds
            ScrollBar.vertical: ScrollBar { width: 16; policy: ScrollBar.AsNeeded }
            // each role of SearchModel is a required property: the row reads only its own copies
            delegate: DocumentRow {
                id: result
                required property int index
                required property string docId
                required property string title
                required property bool partial
                required snippet
                required docNumber
                required issuer
                required published
                required status
                objectName: "result-" + index
                width: ListView.view.width - 24
                docTitle: result.title
                tag: result.partial ? qsTr("部分匹配") : ""
                onClicked: { results.commit(); Nav.open("document", { docId: result.docId }) }
            }
            // nothing found: suggest what to try
            ColumnLayout {
                objectName: "noResults"
                anchors { left: parent.left; right: parent.right; top: parent.top; topMargin: 40 }
                visible: results.answeredQuery !== "" && results.total === 0 && !results.busy
                spacing: Theme.gap
                Text { textFormat: Text.PlainText; Layout.fillWidth: true; wrapMode: Text.Wrap; font.pixelSize: Theme.fontLarge; font.bold: true; color: Theme.text
                       text: qsTr("没有找到与“%1”相关的内容").arg(results.answeredQuery) }
                Text { textFormat: Text.PlainText; Layout.fillWidth: true; wrapMode: Text.Wrap; font.pixelSize: Theme.fontBody; color: Theme.text; lineHeight: 1.4
                       text: qsTr("· 试试更短的词，例如只输入两三个字\n· 检查有没有错别字，或换一种说法（如“低保”“最低生活保障”）\n· 去掉筛选条件\n· 找不到需要的信息，可以申请公开（依申请公开）") }
                Flow { Layout.fillWidth: true; spacing: 14
                       Repeater { model: results.popular; delegate: FilterChip { required property string modelData; text: modelData; onClicked: field.text = modelData } } }
                KioskButton { objectName: "noResultsApply"; text: qsTr("申请政府信息公开"); onClicked: Nav.open("apply", {}) }
            }
        }
        // nothing typed: the rest of the height stays empty here, so the rows above keep their place
        // (a layout with no item filling the height would spread the spare height and move them)
        Item { Layout.fillHeight: true; Layout.fillWidth: true; visible: !list.visible }
    }

    ChoicePopup {
        id: picker
        objectName: "searchFilterPopup"
        property var apply: null
        function open3(h, c, cur, fn) { heading = h; choices = c; current = cur; apply = fn; open() }
        onChosen: function (value) { if (apply) apply(value) }
    }
}
