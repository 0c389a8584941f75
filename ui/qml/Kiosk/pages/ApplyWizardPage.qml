// The 依申请公开 application wizard (a StackView page): five steps, then the tracking number and the
// receipt. Every field shows the core's error next to it; the field being typed into is scrolled above
// the on-screen keyboard. `proxy: true` opens it in staff mode (工作人员代为填写).
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Kiosk
import Kiosk.Backend

KioskPage {
    id: page
    objectName: "applyWizardPage"
    property bool proxy: false
    property real fontScale: Theme.scale
    property bool wide: width > 1400
    // the on-screen keyboard is up: the header shrinks to one line and the footer steps aside
    readonly property bool typing: InputMethod.visible || KeyEntry.active
    route: "wizard"
    hasInput: ApplyWizard.hasInput && ApplyWizard.phase !== ApplyWizard.Phase.Done
    property string pageTitle: qsTr("政府信息公开申请")
    signal finished()             // the resident is done (or cancelled): back to where they came from
    onFinished: proxy ? Nav.back() : Nav.home()   // staff return to the staff screen

    // The wizard view-model is a singleton that outlives the page; leaving the page wipes it.
    readonly property var stepTitles: [qsTr("申请人类型"), qsTr("申请人信息"), qsTr("所需信息"),
                                       qsTr("获取方式"), qsTr("核对并提交")]

    Component.onCompleted: proxy ? ApplyWizard.startProxy() : ApplyWizard.start()
    Component.onDestruction: ApplyWizard.reset()

    Rectangle { anchors.fill: parent; color: Theme.pageBg }

    // --- header: title and steps -----------------------------------------------------------------
    Rectangle {
        id: header
        anchors { left: parent.left; right: parent.right; top: parent.top }
        height: headerColumn.implicitHeight + (page.typing ? 20 : 40)
        color: "#ffffff"
        GridLayout {
            id: headerColumn
            anchors { left: parent.left; right: parent.right; top: parent.top; margins: page.typing ? 10 : 20
                      leftMargin: 40; rightMargin: 40 }
            // landscape: title, step and the five pills on one row; portrait: the pills below
            columns: page.wide ? 3 : 2
            columnSpacing: 24
            rowSpacing: 14
            Label { textFormat: Text.PlainText;
                visible: !page.typing
                text: ApplyWizard.proxy ? qsTr("政府信息公开申请 · 工作人员代为填写") : qsTr("政府信息公开申请")
                font.pixelSize: 36 * page.fontScale
                font.bold: true
                color: Theme.primary
                Layout.fillWidth: !page.wide
                elide: Text.ElideRight
            }
            Label { textFormat: Text.PlainText;
                objectName: "applyStepLabel"
                visible: ApplyWizard.phase !== ApplyWizard.Phase.Done && !page.typing
                text: qsTr("步骤 %1/%2").arg(ApplyWizard.step + 1).arg(ApplyWizard.stepCount)
                font.pixelSize: 30 * page.fontScale
                font.bold: true
                color: Theme.primary
                Layout.alignment: page.wide ? Qt.AlignLeft : Qt.AlignRight
            }
            // the five steps as a row of pills; passed steps can be tapped to go back
            // while the keyboard is up only one slim line says where the resident is
            Label { textFormat: Text.PlainText;
                objectName: "applyStepCompact"
                visible: page.typing
                Layout.columnSpan: headerColumn.columns
                text: qsTr("步骤 %1/%2 · %3").arg(ApplyWizard.step + 1).arg(ApplyWizard.stepCount).arg(page.stepTitles[ApplyWizard.step])
                font.pixelSize: Theme.px(26)
                font.bold: true
                color: Theme.primary
            }
            RowLayout {
                visible: ApplyWizard.phase !== ApplyWizard.Phase.Done && !page.typing
                Layout.fillWidth: true
                Layout.columnSpan: page.wide ? 1 : 2
                spacing: 10
                Repeater {
                    model: page.stepTitles
                    delegate: AbstractButton {
                        id: pill
                        required property int index
                        required property string modelData
                        objectName: "applyStepPill-" + index
                        Layout.fillWidth: true
                        // narrow and large: the number above the title, so the 36 px title is whole
                        readonly property bool stacked: !page.wide && Theme.largeText
                        implicitHeight: stacked ? Math.max(72, implicitContentHeight + 16) : 72
                        enabled: index < ApplyWizard.step
                        focusPolicy: Qt.NoFocus
                        onClicked: ApplyWizard.goToStep(index)
                        background: Rectangle {
                            radius: 36
                            color: pill.index === ApplyWizard.step ? Theme.primary : (pill.index < ApplyWizard.step ? "#cfe0f7" : "#e7eaee")
                        }
                        contentItem: Text { textFormat: Text.PlainText;
                            text: (pill.index + 1) + (pill.stacked ? "\n" : " ") + pill.modelData
                            horizontalAlignment: Text.AlignHCenter
                            verticalAlignment: Text.AlignVCenter
                            font.pixelSize: Theme.px(page.wide ? 26 : 22)
                            font.bold: pill.index === ApplyWizard.step
                            color: pill.index === ApplyWizard.step ? "#ffffff" : Theme.text
                            elide: Text.ElideRight
                        }
                    }
                }
            }
        }
    }

    // --- body: the current step, scrollable, kept clear of the keyboard ---------------------------
    readonly property real keyboardTop: InputMethod.visible
        ? page.mapFromItem(null, 0, InputMethod.keyboardRectangle.y).y : page.height
    readonly property real keyboardCover: Math.max(0, footer.y + footer.height - keyboardTop)

    Flickable {
        id: flick
        objectName: "applyFlick"
        anchors { left: parent.left; right: parent.right; top: header.bottom; bottom: footer.top }
        contentWidth: width
        contentHeight: body.implicitHeight + 60 + page.keyboardCover
        clip: true
        boundsBehavior: Flickable.StopAtBounds
        ScrollBar.vertical: ScrollBar { width: 16; policy: ScrollBar.AsNeeded }
        onHeightChanged: page.ensureVisible(page.focusedField)

        ColumnLayout {
            id: body
            x: Math.max(40, (flick.width - width) / 2)
            y: 24
            width: Math.min(flick.width - 80, 1500)
            spacing: 26

            Label { textFormat: Text.PlainText;
                objectName: "applyGeneralError"
                visible: ApplyWizard.generalError !== ""
                text: ApplyWizard.generalError
                color: Theme.highlight
                font.pixelSize: Theme.px(28)
                font.bold: true
                Layout.fillWidth: true
                wrapMode: Text.Wrap
            }

            Loader {
                id: stepLoader
                Layout.fillWidth: true
                sourceComponent: ApplyWizard.phase === ApplyWizard.Phase.Done ? doneStep
                               : [kindStep, applicantStep, requestStep, deliveryStep, reviewStep][ApplyWizard.step]
            }
        }
    }

    MoreBelow { view: flick; anchors { left: flick.left; right: flick.right; bottom: flick.bottom } visible: more && !page.typing }

    function ensureVisible(item) {
        if (!item) return
        var p = item.mapToItem(flick.contentItem, 0, 0)
        var visibleBottom = Math.min(flick.height, page.keyboardTop - flick.y) - 20
        if (p.y < flick.contentY + 10)
            flick.contentY = Math.max(0, p.y - 40)
        else if (p.y + item.height > flick.contentY + visibleBottom)
            flick.contentY = Math.max(0, Math.min(flick.contentHeight - flick.height, p.y + item.height - visibleBottom + 20))
    }
    property ApplyField focusedField: null

    // The field being typed into stays in view: one behaviour for every field of every step, driven by
    // the window's focus (no handler on each field).
    function fieldOf(item) {
        for (let p = item; p && p !== page; p = p.parent)
            if (p instanceof ApplyField) return p as ApplyField
        return null
    }
    Connections {
        target: page.Window.window
        function onActiveFocusItemChanged() {
            var item = page.Window.activeFocusItem
            var field = item ? page.fieldOf(item) : null
            if (field) { page.focusedField = field; Qt.callLater(page.ensureVisible, field) }
        }
    }
    Connections {
        target: page.focusedField
        function onAdvanceRequested() { page.nextField(page.focusedField) }
    }

    // The visible fields of the current step, in reading order.
    function fieldsIn(item, out) {
        for (let i = 0; i < item.children.length; ++i) {
            let child = item.children[i]
            if (!child.visible) continue
            if (child.key !== undefined && child.input !== undefined) out.push(child)
            else fieldsIn(child, out)
        }
        return out
    }
    // Enter on a field: the next field of the step; after the last one, 下一步 (the step's own checks
    // then say what is missing). On the review step the keyboard just closes: submitting stays a tap.
    function nextField(field) {
        var fields = stepLoader.item ? fieldsIn(stepLoader.item, []) : []
        var at = fields.indexOf(field)
        if (at >= 0 && at + 1 < fields.length) {
            fields[at + 1].input.forceActiveFocus()
            return
        }
        KeyEntry.hideAll()
        if (field.input) field.input.focus = false
        if (ApplyWizard.phase === ApplyWizard.Phase.Editing && ApplyWizard.step > 0 && ApplyWizard.step < ApplyWizard.stepCount - 1)
            ApplyWizard.next()
    }

    // After a refused step, bring the first field with an error into view (it may be below the fold)
    // and say it on the action bar's message line.
    function firstErrorItem(item) {
        for (let i = 0; i < item.children.length; ++i) {
            let child = item.children[i]
            if (!child.visible)
                continue
            if (child.error !== undefined && child.error !== "" && (child.key !== undefined || child.errorLabel !== undefined))
                return child
            let found = firstErrorItem(child)
            if (found)
                return found
        }
        return null
    }
    property string announcement: ""
    Timer { id: errorScroll; property Item item: null; interval: 80; onTriggered: page.ensureVisible(item) }
    function scrollToFirstError() {
        if (!stepLoader.item) return
        var item = firstErrorItem(stepLoader.item)
        if (!item) { page.announcement = ""; return }
        var what = item.errorLabel !== undefined ? item.errorLabel : item.label
        page.announcement = qsTr("请修改：%1 — %2").arg(what).arg(item.error)
        // once the step's layout placed the newly shown messages and the bar made room for its line
        errorScroll.item = item
        errorScroll.restart()
    }
    onKeyboardTopChanged: ensureVisible(focusedField)
    Connections {
        target: ApplyWizard
        function onStepChanged() { flick.contentY = 0; page.focusedField = null; page.announcement = "" }
        function onErrorsChanged() { Qt.callLater(page.scrollToFirstError) }
    }

    // --- footer: back / next -------------------------------------------------------------------------
    Rectangle {
        id: footer
        anchors { left: parent.left; right: parent.right; bottom: parent.bottom }
        visible: !page.typing
        readonly property real barHeight: 124 * Math.min(page.fontScale, 1.3)
        // a refused step's message sits on its own line above the buttons (they stay where they are)
        height: visible ? barHeight + (announce.visible ? announce.implicitHeight + 16 : 0) : 0
        color: "#ffffff"
        Rectangle { anchors { left: parent.left; right: parent.right; top: parent.top } height: 2; color: Theme.cardBorder }
        Label {
            id: announce
            objectName: "applyAnnouncement"
            visible: text !== ""
            anchors { left: parent.left; right: parent.right; top: parent.top; leftMargin: 40; rightMargin: 40; topMargin: 14 }
            text: ApplyWizard.phase === ApplyWizard.Phase.Editing ? page.announcement : ""
            textFormat: Text.PlainText
            color: Theme.highlight
            font.pixelSize: Theme.px(26)
            font.bold: true
            wrapMode: Text.Wrap
        }
        RowLayout {
            anchors { left: parent.left; right: parent.right; bottom: parent.bottom; leftMargin: 40; rightMargin: 40; bottomMargin: 18 }
            height: footer.barHeight - 36
            spacing: 24
            KioskButton {
                objectName: "applyCancel"
                tone: "light"
                text: qsTr("取消申请")
                visible: ApplyWizard.phase === ApplyWizard.Phase.Editing
                onClicked: { ApplyWizard.reset(); page.finished() }
            }
            Item { Layout.fillWidth: true }
            BusyIndicator {
                visible: ApplyWizard.busy
                running: ApplyWizard.busy
                Layout.preferredHeight: 72
                Layout.preferredWidth: 72
            }
            KioskButton {
                objectName: "applyBack"
                tone: "light"
                text: qsTr("上一步")
                visible: ApplyWizard.phase === ApplyWizard.Phase.Editing && ApplyWizard.step > 0
                onClicked: ApplyWizard.back()
            }
            KioskButton {
                objectName: "applyNext"
                text: qsTr("下一步")
                tone: "primary"
                visible: ApplyWizard.phase === ApplyWizard.Phase.Editing && ApplyWizard.step > 0 && ApplyWizard.step < ApplyWizard.stepCount - 1
                onClicked: ApplyWizard.next()
            }
            KioskButton {
                objectName: "applyDone"
                tone: "primary"
                text: qsTr("完成")
                visible: ApplyWizard.phase === ApplyWizard.Phase.Done
                Layout.preferredWidth: 240
                onClicked: { ApplyWizard.reset(); page.finished() }
            }
            KioskButton {
                objectName: "applySubmit"
                text: qsTr("提交申请")
                tone: "primary"
                visible: ApplyWizard.phase !== ApplyWizard.Phase.Done && ApplyWizard.step === ApplyWizard.stepCount - 1
                enabled: ApplyWizard.phase === ApplyWizard.Phase.Editing
                onClicked: ApplyWizard.submit()
            }
        }
    }

    // --- step 1: who applies -------------------------------------------------------------------------
    Component { id: kindStep; WizardKindStep { wide: page.wide } }

    // --- step 2: the applicant's details ------------------------------------------------------------
    Component { id: applicantStep; WizardApplicantStep { wide: page.wide } }

    // --- step 3: what is asked for ------------------------------------------------------------------
    Component { id: requestStep; WizardRequestStep { wide: page.wide } }

    // --- step 4: medium and delivery -----------------------------------------------------------------
    Component { id: deliveryStep; WizardDeliveryStep { wide: page.wide } }

    // --- step 5: review, consent, pledge, submit ----------------------------------------------------
    Component { id: reviewStep; WizardReviewStep { wide: page.wide } }

    // --- done: the tracking number, the deadline, the receipt ---------------------------------------
    Component { id: doneStep; WizardDoneStep { wide: page.wide } }

    Connections {
        target: ApplyWizard
        function onSubmitted() { flick.contentY = 0; Visit.applied = true }
    }
}
