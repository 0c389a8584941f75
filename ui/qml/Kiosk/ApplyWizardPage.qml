// The 依申请公开 application wizard (a StackView page): five steps, then the tracking number and the
// receipt. Every field shows the core's error next to it; the field being typed into is scrolled above
// the on-screen keyboard. `proxy: true` opens it in staff mode (工作人员代为填写).
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Kiosk.Backend

Item {
    id: page
    objectName: "applyWizardPage"
    property bool proxy: false
    property real fontScale: Theme.scale
    property bool wide: width > 1400
    property bool ready: true
    // the on-screen keyboard is up: the header shrinks to one line and the footer steps aside
    readonly property bool typing: Qt.inputMethod.visible
    property string route: "wizard"
    property string pageTitle: qsTr("政府信息公开申请")
    signal finished()             // the resident is done (or cancelled): back to where they came from
    onFinished: proxy ? Nav.back() : Nav.home()   // staff return to the staff screen

    // The wizard view-model is a singleton that outlives the page; leaving the page wipes it.
    readonly property var vm: ApplyWizard
    readonly property var wizard: ApplyWizard
    readonly property var stepTitles: [qsTr("申请人类型"), qsTr("申请人信息"), qsTr("所需信息"),
                                       qsTr("获取方式"), qsTr("核对并提交")]

    Component.onCompleted: proxy ? vm.startProxy() : vm.start()
    Component.onDestruction: if (typeof ApplyWizard.reset === "function") ApplyWizard.reset()

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
            Label {
                visible: !page.typing
                text: vm.proxy ? qsTr("政府信息公开申请 · 工作人员代为填写") : qsTr("政府信息公开申请")
                font.pixelSize: 36 * page.fontScale
                font.bold: true
                color: Theme.primary
                Layout.fillWidth: !page.wide
                elide: Text.ElideRight
            }
            Label {
                objectName: "applyStepLabel"
                visible: vm.phase !== "done" && !page.typing
                text: qsTr("步骤 %1/%2").arg(vm.step + 1).arg(vm.stepCount)
                font.pixelSize: 30 * page.fontScale
                font.bold: true
                color: Theme.primary
                Layout.alignment: page.wide ? Qt.AlignLeft : Qt.AlignRight
            }
            // the five steps as a row of pills; passed steps can be tapped to go back
            // while the keyboard is up only one slim line says where the resident is
            Label {
                objectName: "applyStepCompact"
                visible: page.typing
                Layout.columnSpan: headerColumn.columns
                text: qsTr("步骤 %1/%2 · %3").arg(vm.step + 1).arg(vm.stepCount).arg(page.stepTitles[vm.step])
                font.pixelSize: 26 * page.fontScale
                font.bold: true
                color: Theme.primary
            }
            RowLayout {
                visible: vm.phase !== "done" && !page.typing
                Layout.fillWidth: true
                Layout.columnSpan: page.wide ? 1 : 2
                spacing: 10
                Repeater {
                    model: page.stepTitles
                    delegate: AbstractButton {
                        required property int index
                        required property string modelData
                        objectName: "applyStepPill-" + index
                        Layout.fillWidth: true
                        implicitHeight: 72
                        enabled: index < vm.step
                        focusPolicy: Qt.NoFocus
                        onClicked: vm.goToStep(index)
                        background: Rectangle {
                            radius: 36
                            color: index === vm.step ? Theme.primary : (index < vm.step ? "#cfe0f7" : "#e7eaee")
                        }
                        contentItem: Text {
                            text: (index + 1) + " " + modelData
                            horizontalAlignment: Text.AlignHCenter
                            verticalAlignment: Text.AlignVCenter
                            font.pixelSize: (page.wide ? 26 : 22) * page.fontScale
                            font.bold: index === vm.step
                            color: index === vm.step ? "#ffffff" : Theme.text
                            elide: Text.ElideRight
                        }
                    }
                }
            }
        }
    }

    // --- body: the current step, scrollable, kept clear of the keyboard ---------------------------
    readonly property real keyboardTop: Qt.inputMethod.visible
        ? page.mapFromItem(null, 0, Qt.inputMethod.keyboardRectangle.y).y : page.height
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

            Label {
                objectName: "applyGeneralError"
                visible: vm.generalError !== ""
                text: vm.generalError
                color: Theme.highlight
                font.pixelSize: 28 * page.fontScale
                font.bold: true
                Layout.fillWidth: true
                wrapMode: Text.Wrap
            }

            Loader {
                id: stepLoader
                Layout.fillWidth: true
                sourceComponent: vm.phase === "done" ? doneStep
                               : [kindStep, applicantStep, requestStep, deliveryStep, reviewStep][vm.step]
            }
        }
    }

    function ensureVisible(item) {
        if (!item) return
        var p = item.mapToItem(flick.contentItem, 0, 0)
        var visibleBottom = Math.min(flick.height, page.keyboardTop - flick.y) - 20
        if (p.y < flick.contentY + 10)
            flick.contentY = Math.max(0, p.y - 40)
        else if (p.y + item.height > flick.contentY + visibleBottom)
            flick.contentY = Math.min(flick.contentHeight - flick.height, p.y + item.height - visibleBottom + 20)
    }
    property Item focusedField: null

    // After a refused step, bring the first field with an error into view (it may be below the fold).
    function firstErrorItem(item) {
        for (var i = 0; i < item.children.length; ++i) {
            var child = item.children[i]
            if (!child.visible)
                continue
            if (child.key !== undefined && child.error !== undefined && child.error !== "")
                return child
            var found = firstErrorItem(child)
            if (found)
                return found
        }
        return null
    }
    function scrollToFirstError() {
        if (stepLoader.item) {
            var item = firstErrorItem(stepLoader.item)
            if (item)
                ensureVisible(item)
        }
    }
    onKeyboardTopChanged: ensureVisible(focusedField)
    Connections {
        target: vm
        function onStepChanged() { flick.contentY = 0; page.focusedField = null }
        function onErrorsChanged() { Qt.callLater(page.scrollToFirstError) }
    }

    // --- footer: back / next -------------------------------------------------------------------------
    Rectangle {
        id: footer
        anchors { left: parent.left; right: parent.right; bottom: parent.bottom }
        visible: !page.typing
        height: visible ? 124 * Math.min(page.fontScale, 1.3) : 0
        color: "#ffffff"
        Rectangle { anchors { left: parent.left; right: parent.right; top: parent.top } height: 2; color: Theme.cardBorder }
        RowLayout {
            anchors { fill: parent; leftMargin: 40; rightMargin: 40; topMargin: 18; bottomMargin: 18 }
            spacing: 24
            KioskButton {
                objectName: "applyCancel"
                tone: "light"
                text: qsTr("取消申请")
                visible: vm.phase === "editing"
                onClicked: { vm.reset(); page.finished() }
            }
            Item { Layout.fillWidth: true }
            BusyIndicator {
                visible: vm.busy
                running: vm.busy
                Layout.preferredHeight: 72
                Layout.preferredWidth: 72
            }
            KioskButton {
                objectName: "applyBack"
                tone: "light"
                text: qsTr("上一步")
                visible: vm.phase === "editing" && vm.step > 0
                onClicked: vm.back()
            }
            KioskButton {
                objectName: "applyNext"
                text: qsTr("下一步")
                tone: "primary"
                visible: vm.phase === "editing" && vm.step > 0 && vm.step < vm.stepCount - 1
                onClicked: vm.next()
            }
            KioskButton {
                objectName: "applyDone"
                tone: "primary"
                text: qsTr("完成")
                visible: vm.phase === "done"
                Layout.preferredWidth: 240
                onClicked: { vm.reset(); page.finished() }
            }
            KioskButton {
                objectName: "applySubmit"
                text: qsTr("提交申请")
                tone: "primary"
                visible: vm.phase !== "done" && vm.step === vm.stepCount - 1
                enabled: vm.phase === "editing"
                onClicked: vm.submit()
            }
        }
    }

    // --- step 1: who applies -------------------------------------------------------------------------
    Component {
        id: kindStep
        ColumnLayout {
            spacing: 30
            Label {
                text: qsTr("请选择申请人类型")
                font.pixelSize: 36 * page.fontScale
                font.bold: true
                color: Theme.text
            }
            GridLayout {
                columns: page.wide ? 2 : 1
                columnSpacing: 30
                rowSpacing: 30
                Layout.fillWidth: true
                Repeater {
                    model: [
                        { code: "citizen", name: qsTr("公民"), detail: qsTr("以个人名义申请，需填写居民身份证号码") },
                        { code: "organisation", name: qsTr("法人或者其他组织"),
                          detail: qsTr("以单位名义申请，需填写统一社会信用代码") }
                    ]
                    delegate: AbstractButton {
                        required property var modelData
                        objectName: modelData.code === "citizen" ? "applyKindCitizen" : "applyKindOrganisation"
                        Layout.fillWidth: true
                        Layout.preferredWidth: 400
                        implicitHeight: 240 * Math.min(page.fontScale, 1.25)
                        focusPolicy: Qt.NoFocus
                        onClicked: vm.chooseKind(modelData.code)
                        background: Rectangle {
                            radius: 18
                            color: parent.down ? "#dbe7f8" : "#ffffff"
                            border.width: vm.applicantKind === parent.modelData.code ? 5 : 2
                            border.color: vm.applicantKind === parent.modelData.code ? Theme.primary : "#9aa5b1"
                        }
                        contentItem: Column {
                            spacing: 16
                            topPadding: 40
                            Text {
                                width: parent.width
                                horizontalAlignment: Text.AlignHCenter
                                text: modelData.name
                                font.pixelSize: 48 * page.fontScale
                                font.bold: true
                                color: Theme.primary
                            }
                            Text {
                                width: parent.width
                                horizontalAlignment: Text.AlignHCenter
                                text: modelData.detail
                                font.pixelSize: 26 * page.fontScale
                                color: Theme.textMuted
                                wrapMode: Text.Wrap
                            }
                        }
                    }
                }
            }
            Label {
                objectName: "applyError-applicant.kind"
                visible: (vm.errors["applicant.kind"] || "") !== ""
                text: vm.errors["applicant.kind"] || ""
                color: Theme.highlight
                font.pixelSize: 26 * page.fontScale
            }
            Label {
                Layout.fillWidth: true
                Layout.topMargin: 20
                wrapMode: Text.Wrap
                text: qsTr("依据《中华人民共和国政府信息公开条例》第二十九条提出申请。行政机关不能当场答复的，"
                           + "应当自收到申请之日起20个工作日内予以答复。")
                font.pixelSize: 24 * page.fontScale
                color: Theme.textMuted
            }
        }
    }

    // --- step 2: the applicant's details ------------------------------------------------------------
    Component {
        id: applicantStep
        GridLayout {
            readonly property bool citizen: vm.applicantKind !== "organisation"
            columns: page.wide ? 2 : 1
            columnSpacing: 40
            rowSpacing: 24
            ApplyField {
                wizard: vm; key: "applicant.name"; required: true; fontScale: page.fontScale
                label: parent.citizen ? qsTr("姓名") : qsTr("单位名称")
                hint: qsTr("点击后用拼音输入")
                onFocusedField: (item) => { page.focusedField = item; page.ensureVisible(item) }
            }
            ApplyField {
                wizard: vm; key: "applicant.id_number"; required: true; fontScale: page.fontScale
                label: parent.citizen ? qsTr("居民身份证号码") : qsTr("统一社会信用代码")
                hint: parent.citizen ? qsTr("18位，末位可能是X") : qsTr("18位数字或大写字母")
                // citizens: the clean numeric pad, and an X key beside the field for the check digit
                inputHints: parent.citizen ? Qt.ImhDigitsOnly
                                           : (Qt.ImhPreferUppercase | Qt.ImhNoPredictiveText | Qt.ImhLatinOnly)
                extraKey: parent.citizen ? "X" : ""
                onFocusedField: (item) => { page.focusedField = item; page.ensureVisible(item) }
            }
            ApplyField {
                visible: !parent.citizen
                wizard: vm; key: "applicant.legal_representative"; required: true; fontScale: page.fontScale
                label: qsTr("法定代表人或者主要负责人")
                onFocusedField: (item) => { page.focusedField = item; page.ensureVisible(item) }
            }
            ApplyField {
                visible: !parent.citizen
                wizard: vm; key: "applicant.contact_person"; required: true; fontScale: page.fontScale
                label: qsTr("联系人姓名")
                onFocusedField: (item) => { page.focusedField = item; page.ensureVisible(item) }
            }
            ApplyField {
                wizard: vm; key: "applicant.phone"; required: true; fontScale: page.fontScale
                label: qsTr("联系电话")
                hint: qsTr("手机11位，或 区号-号码")
                inputHints: Qt.ImhDialableCharactersOnly
                onFocusedField: (item) => { page.focusedField = item; page.ensureVisible(item) }
            }
            ApplyField {
                visible: parent.citizen
                wizard: vm; key: "applicant.employer"; fontScale: page.fontScale
                label: qsTr("工作单位")
                onFocusedField: (item) => { page.focusedField = item; page.ensureVisible(item) }
            }
            ApplyField {
                wizard: vm; key: "applicant.address"; required: true; fontScale: page.fontScale
                label: qsTr("通信地址")
                onFocusedField: (item) => { page.focusedField = item; page.ensureVisible(item) }
            }
            ApplyField {
                wizard: vm; key: "applicant.postcode"; fontScale: page.fontScale
                label: qsTr("邮政编码")
                hint: qsTr("6位数字，邮寄时必填")
                inputHints: Qt.ImhDigitsOnly
                onFocusedField: (item) => { page.focusedField = item; page.ensureVisible(item) }
            }
            ApplyField {
                wizard: vm; key: "applicant.email"; fontScale: page.fontScale
                label: qsTr("电子邮箱")
                hint: qsTr("选择电子邮件时必填")
                inputHints: Qt.ImhEmailCharactersOnly | Qt.ImhNoAutoUppercase
                onFocusedField: (item) => { page.focusedField = item; page.ensureVisible(item) }
            }
        }
    }

    // --- step 3: what is asked for ------------------------------------------------------------------
    Component {
        id: requestStep
        ColumnLayout {
            spacing: 24
            ApplyField {
                wizard: vm; key: "request.description"; required: true; multiline: true; fontScale: page.fontScale
                label: qsTr("所需政府信息的名称或描述")
                hint: qsTr("写明信息名称、文号或便于查找的其他特征，如“2025年万宝镇农村低保资金发放情况”")
                onFocusedField: (item) => { page.focusedField = item; page.ensureVisible(item) }
            }
            ApplyField {
                wizard: vm; key: "request.doc_number"; fontScale: page.fontScale
                label: qsTr("文号（知道时填写）")
                hint: qsTr("如：娄星政发〔2025〕3号")
                onFocusedField: (item) => { page.focusedField = item; page.ensureVisible(item) }
            }
            ApplyField {
                wizard: vm; key: "request.purpose"; fontScale: page.fontScale
                label: qsTr("所需信息的用途（选填）")
                onFocusedField: (item) => { page.focusedField = item; page.ensureVisible(item) }
            }
        }
    }

    // --- step 4: medium and delivery -----------------------------------------------------------------
    Component {
        id: deliveryStep
        ColumnLayout {
            spacing: 20
            Label {
                text: qsTr("希望以什么形式获得信息（可多选）")
                font.pixelSize: 30 * page.fontScale; font.bold: true; color: Theme.text
            }
            GridLayout {
                columns: page.wide ? 3 : 1
                columnSpacing: 24; rowSpacing: 18
                Layout.fillWidth: true
                Repeater {
                    model: [{ code: "paper", name: qsTr("纸质") }, { code: "email", name: qsTr("电子邮件") },
                            { code: "disc", name: qsTr("光盘") }]
                    delegate: ApplyToggle {
                        required property var modelData
                        objectName: "applyMedia-" + modelData.code
                        Layout.fillWidth: true
                        text: modelData.name
                        fontScale: page.fontScale
                        chosen: vm.values["media"].indexOf(modelData.code) >= 0
                        onClicked: vm.toggleChoice("media", modelData.code)
                    }
                }
            }
            Label {
                objectName: "applyError-media"
                visible: (vm.errors["media"] || "") !== ""
                text: vm.errors["media"] || ""
                color: Theme.highlight; font.pixelSize: 24 * page.fontScale
            }
            Label {
                Layout.topMargin: 20
                text: qsTr("希望怎样获取信息（可多选）")
                font.pixelSize: 30 * page.fontScale; font.bold: true; color: Theme.text
            }
            GridLayout {
                columns: page.wide ? 2 : 1
                columnSpacing: 24; rowSpacing: 18
                Layout.fillWidth: true
                Repeater {
                    model: [{ code: "collect", name: qsTr("自行领取"), detail: qsTr("到本专区窗口领取") },
                            { code: "post", name: qsTr("邮寄"), detail: qsTr("寄到通信地址，需填写邮政编码") },
                            { code: "email", name: qsTr("电子邮件"), detail: qsTr("发送到电子邮箱") },
                            { code: "onsite", name: qsTr("当场阅读、抄录"), detail: qsTr("到窗口当场查阅") }]
                    delegate: ApplyToggle {
                        required property var modelData
                        objectName: "applyDelivery-" + modelData.code
                        Layout.fillWidth: true
                        text: modelData.name
                        detail: modelData.detail
                        fontScale: page.fontScale
                        chosen: vm.values["delivery"].indexOf(modelData.code) >= 0
                        onClicked: vm.toggleChoice("delivery", modelData.code)
                    }
                }
            }
            Label {
                objectName: "applyError-delivery"
                visible: (vm.errors["delivery"] || "") !== ""
                text: vm.errors["delivery"] || ""
                color: Theme.highlight; font.pixelSize: 24 * page.fontScale
                Layout.fillWidth: true; wrapMode: Text.Wrap
            }
        }
    }

    // --- step 5: review, consent, pledge, submit ----------------------------------------------------
    Component {
        id: reviewStep
        ColumnLayout {
            spacing: 18
            readonly property bool citizen: vm.applicantKind !== "organisation"
            readonly property var labels: ({ paper: qsTr("纸质"), email: qsTr("电子邮件"), disc: qsTr("光盘"),
                                             post: qsTr("邮寄"), collect: qsTr("自行领取"),
                                             onsite: qsTr("当场阅读、抄录") })
            function names(codes) { return codes.map(function (c) { return labels[c] }).join("、") }
            RowLayout {
                Layout.fillWidth: true
                Label {
                    Layout.fillWidth: true
                    text: qsTr("请核对以下内容，无误后提交")
                    font.pixelSize: 32 * page.fontScale; font.bold: true; color: Theme.text
                    wrapMode: Text.Wrap
                }
                KioskButton {
                    objectName: "applyEdit"
                    tone: "light"
                    text: qsTr("修改内容")
                    onClicked: vm.goToStep(1)
                }
            }
            Rectangle {
                Layout.fillWidth: true
                implicitHeight: reviewGrid.implicitHeight + 40
                radius: 14; color: "#ffffff"; border.color: Theme.cardBorder; border.width: 2
                GridLayout {
                    id: reviewGrid
                    anchors { fill: parent; margins: 20 }
                    columns: page.wide ? 4 : 2
                    columnSpacing: 30; rowSpacing: 12
                    Repeater {
                        model: [
                            [qsTr("申请人类型"), citizen ? qsTr("公民") : qsTr("法人或者其他组织")],
                            [citizen ? qsTr("姓名") : qsTr("单位名称"), vm.values["applicant.name"]],
                            [citizen ? qsTr("身份证号码") : qsTr("统一社会信用代码"), vm.maskedId],
                            [qsTr("联系电话"), vm.values["applicant.phone"]],
                            [qsTr("通信地址"), vm.values["applicant.address"], true],
                            [qsTr("所需信息"), vm.values["request.description"], true],
                            [qsTr("文号"), vm.values["request.doc_number"] || qsTr("（未填写）")],
                            [qsTr("载体形式"), names(vm.values["media"])],
                            [qsTr("获取方式"), names(vm.values["delivery"])]
                        ]
                        delegate: Item {
                            required property var modelData
                            required property int index
                            Layout.columnSpan: page.wide && modelData.length > 2 ? 4 : 2
                            Layout.fillWidth: true
                            Layout.preferredWidth: 400
                            implicitHeight: Math.max(k.implicitHeight, v.implicitHeight)
                            Text {
                                id: k
                                width: 210 * page.fontScale
                                text: modelData[0]
                                font.pixelSize: 26 * page.fontScale
                                color: Theme.textMuted
                            }
                            Text {
                                id: v
                                objectName: "applyReview-" + index
                                x: k.width + 20
                                width: parent.width - x
                                text: modelData[1]
                                font.pixelSize: 28 * page.fontScale
                                font.bold: true
                                color: Theme.text
                                wrapMode: Text.Wrap
                            }
                        }
                    }
                }
            }
            GridLayout {
                Layout.fillWidth: true
                columns: page.wide ? 2 : 1
                columnSpacing: 24
                rowSpacing: 12
                ColumnLayout {
                    Layout.fillWidth: true
                    Layout.preferredWidth: 400
                    Layout.alignment: Qt.AlignTop
                    ApplyToggle {
                        objectName: "applyConsent"
                        Layout.fillWidth: true
                        fontScale: page.fontScale
                        text: qsTr("同意处理个人信息")
                        detail: qsTr("本终端仅为办理本申请收集和处理上述信息，送达区政务公开办后即从本终端删除")
                        chosen: vm.values["consent_personal_data"] === true
                        onClicked: vm.setValue("consent_personal_data", !chosen)
                    }
                    Label {
                        objectName: "applyError-consent_personal_data"
                        visible: (vm.errors["consent_personal_data"] || "") !== ""
                        text: vm.errors["consent_personal_data"] || ""
                        color: Theme.highlight; font.pixelSize: 24 * page.fontScale
                        Layout.fillWidth: true; wrapMode: Text.Wrap
                    }
                }
                ColumnLayout {
                    Layout.fillWidth: true
                    Layout.preferredWidth: 400
                    Layout.alignment: Qt.AlignTop
                    ApplyToggle {
                        objectName: "applyPledge"
                        Layout.fillWidth: true
                        fontScale: page.fontScale
                        text: qsTr("申请人承诺")
                        detail: qsTr("本人承诺所填信息真实有效，所获取的政府信息将依法使用")
                        chosen: vm.values["pledge_accepted"] === true
                        onClicked: vm.setValue("pledge_accepted", !chosen)
                    }
                    Label {
                        objectName: "applyError-pledge_accepted"
                        visible: (vm.errors["pledge_accepted"] || "") !== ""
                        text: vm.errors["pledge_accepted"] || ""
                        color: Theme.highlight; font.pixelSize: 24 * page.fontScale
                        Layout.fillWidth: true; wrapMode: Text.Wrap
                    }
                }
            }
            ApplyField {
                visible: vm.proxy
                wizard: vm; key: "proxy.staff_id"; required: true; fontScale: page.fontScale
                label: qsTr("代为填写的工作人员工号")
                inputHints: Qt.ImhDigitsOnly
                onFocusedField: (item) => { page.focusedField = item; page.ensureVisible(item) }
            }
            ApplyField {
                visible: vm.proxy
                wizard: vm; key: "proxy.note"; fontScale: page.fontScale
                label: qsTr("备注（如：申请人书写困难）")
                onFocusedField: (item) => { page.focusedField = item; page.ensureVisible(item) }
            }
        }
    }

    // --- done: the tracking number, the deadline, the receipt ---------------------------------------
    Component {
        id: doneStep
        ColumnLayout {
            spacing: 20
            Label {
                text: qsTr("申请已提交")
                font.pixelSize: 44 * page.fontScale; font.bold: true; color: Theme.inForce
            }
            // the receipt comes first: a failed printer must never be below the fold
            Rectangle {
                Layout.fillWidth: true
                implicitHeight: receiptLabel.implicitHeight + 28
                radius: 12
                color: vm.receiptState === "failed" ? "#FDECEA" : "#EEF5EE"
                border.width: 2
                border.color: vm.receiptState === "failed" ? Theme.highlight : Theme.inForce
                visible: vm.receiptState !== ""
                Label {
                    id: receiptLabel
                    objectName: "applyReceiptState"
                    anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter
                              leftMargin: 20; rightMargin: 20 }
                    wrapMode: Text.Wrap
                    font.pixelSize: 30 * page.fontScale
                    font.bold: true
                    color: vm.receiptState === "failed" ? Theme.highlight : Theme.text
                    text: vm.receiptState === "printing" ? qsTr("正在打印回执，请稍候…")
                        : vm.receiptState === "printed" ? qsTr("回执已打印，请从出纸口取走并妥善保管")
                        : vm.receiptState === "failed" ? qsTr("回执打印失败，请联系工作人员")
                        : ""
                }
            }
            Rectangle {
                Layout.fillWidth: true
                implicitHeight: doneGrid.implicitHeight + 48
                radius: 18; color: "#ffffff"; border.color: Theme.inForce; border.width: 3
                GridLayout {
                    id: doneGrid
                    anchors { left: parent.left; right: parent.right; top: parent.top; margins: 24 }
                    columns: page.wide ? 2 : 1
                    columnSpacing: 40
                    rowSpacing: 12
                    ColumnLayout {
                        Layout.fillWidth: true
                        Layout.preferredWidth: 400
                        Layout.alignment: Qt.AlignTop
                        Label { text: qsTr("受理编号"); font.pixelSize: 26 * page.fontScale; color: Theme.textMuted }
                        Label {
                            objectName: "applyTrackingNumber"
                            text: vm.trackingNumber
                            font.pixelSize: 56 * page.fontScale; font.bold: true; color: Theme.primary
                            Layout.fillWidth: true
                            fontSizeMode: Text.HorizontalFit
                            minimumPixelSize: 36
                        }
                    }
                    ColumnLayout {
                        Layout.fillWidth: true
                        Layout.preferredWidth: 400
                        Layout.alignment: Qt.AlignTop
                        Label { text: qsTr("答复期限"); font.pixelSize: 26 * page.fontScale; color: Theme.textMuted }
                        Label {
                            objectName: "applyDeadline"
                            text: vm.deadline
                                ? qsTr("%1 年 %2 月 %3 日前").arg(vm.deadline.substring(0, 4))
                                      .arg(Number(vm.deadline.substring(5, 7))).arg(Number(vm.deadline.substring(8, 10)))
                                : ""
                            font.pixelSize: 44 * page.fontScale; font.bold: true; color: Theme.primary
                        }
                        Label {
                            objectName: "applyDeadlineExplanation"
                            Layout.fillWidth: true
                            text: vm.deadlineExplanation
                            wrapMode: Text.Wrap
                            font.pixelSize: 22 * page.fontScale; color: Theme.textMuted
                        }
                    }
                }
            }
            Label {
                Layout.fillWidth: true
                wrapMode: Text.Wrap
                text: qsTr("申请已保存在本终端，将送达区政务公开办。凭受理编号和联系电话可在本终端“申请进度查询”中查询办理情况。")
                font.pixelSize: 24 * page.fontScale; color: Theme.textMuted
            }
        }
    }

    Connections {
        target: vm
        function onSubmitted() { flick.contentY = 0; Visit.applied = true }
    }
}
