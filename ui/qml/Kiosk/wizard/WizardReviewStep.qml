// Step 5 of the application wizard: review, consent, pledge (and in staff mode the staff number).
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Kiosk
import Kiosk.Backend

ColumnLayout {
    id: step
    property bool wide: false
    readonly property real fontScale: Theme.scale
    spacing: 18
    readonly property bool citizen: ApplyWizard.applicantKind !== ApplyWizard.Kind.Organisation
    readonly property var labels: ({ paper: qsTr("纸质"), email: qsTr("电子邮件"), disc: qsTr("光盘"),
                                     post: qsTr("邮寄"), collect: qsTr("自行领取"),
                                     onsite: qsTr("当场阅读、抄录") })
    function names(codes) { return codes.map(function (c) { return step.labels[c] }).join("、") }
    RowLayout {
        Layout.fillWidth: true
        Label { textFormat: Text.PlainText;
            Layout.fillWidth: true
            text: qsTr("请核对以下内容，无误后提交")
            font.pixelSize: 32 * step.fontScale; font.bold: true; color: Theme.text
            wrapMode: Text.Wrap
        }
        KioskButton {
            objectName: "applyEdit"
            tone: "light"
            text: qsTr("修改内容")
            onClicked: ApplyWizard.goToStep(1)
        }
    }
    Rectangle {
        Layout.fillWidth: true
        implicitHeight: reviewGrid.implicitHeight + 40
        radius: 14; color: "#ffffff"; border.color: Theme.cardBorder; border.width: 2
        GridLayout {
            id: reviewGrid
            anchors { fill: parent; margins: 20 }
            columns: step.wide ? 4 : 2
            columnSpacing: 30; rowSpacing: 12
            Repeater {
                model: [
                    [qsTr("申请人类型"), step.citizen ? qsTr("公民") : qsTr("法人或者其他组织")],
                    [step.citizen ? qsTr("姓名") : qsTr("单位名称"), ApplyWizard.values["applicant.name"]],
                    [step.citizen ? qsTr("身份证号码") : qsTr("统一社会信用代码"), ApplyWizard.maskedId],
                    [qsTr("联系电话"), ApplyWizard.values["applicant.phone"]],
                    [qsTr("通信地址"), ApplyWizard.values["applicant.address"], true],
                    [qsTr("所需信息"), ApplyWizard.values["request.description"], true],
                    [qsTr("文号"), ApplyWizard.values["request.doc_number"] || qsTr("（未填写）")],
                    [qsTr("载体形式"), step.names(ApplyWizard.values["media"])],
                    [qsTr("获取方式"), step.names(ApplyWizard.values["delivery"])]
                ]
                delegate: Item {
                    id: row
                    required property var modelData
                    required property int index
                    Layout.columnSpan: step.wide && row.modelData.length > 2 ? 4 : 2
                    Layout.fillWidth: true
                    Layout.preferredWidth: 400
                    // the two items of a grid row share their first baseline, and so do a label and its
                    // value: a name in another script (a taller Uyghur line) leaves the labels level
                    Layout.alignment: Qt.AlignLeft | Qt.AlignBaseline
                    baselineOffset: v.y + v.baselineOffset
                    implicitHeight: Math.max(k.y + k.implicitHeight, v.implicitHeight)
                    Text { textFormat: Text.PlainText;
                        id: k
                        objectName: "applyReviewLabel-" + row.index
                        anchors.baseline: v.baseline
                        width: 210 * step.fontScale
                        text: row.modelData[0]
                        font.pixelSize: Theme.px(26)
                        color: Theme.textMuted
                    }
                    Text { textFormat: Text.PlainText;
                        id: v
                        objectName: "applyReview-" + row.index
                        x: k.width + 20
                        width: parent.width - x
                        // beside its label whatever the script: a Uyghur name (right to left) would
                        // otherwise go to the far edge of its cell
                        horizontalAlignment: Text.AlignLeft
                        text: row.modelData[1]
                        font.pixelSize: Theme.px(28)
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
        columns: step.wide ? 2 : 1
        columnSpacing: 24
        rowSpacing: 12
        ColumnLayout {
            Layout.fillWidth: true
            Layout.preferredWidth: 400
            Layout.alignment: Qt.AlignTop
            ApplyToggle {
                objectName: "applyConsent"
                Layout.fillWidth: true
                fontScale: step.fontScale
                text: qsTr("同意处理个人信息")
                detail: qsTr("本终端仅为办理本申请收集和处理上述信息，送达区政务公开办后即从本终端删除")
                chosen: ApplyWizard.values["consent_personal_data"] === true
                onClicked: ApplyWizard.setValue("consent_personal_data", !chosen)
            }
            StepError { errorKey: "consent_personal_data"; errorLabel: qsTr("同意处理个人信息") }
        }
        ColumnLayout {
            Layout.fillWidth: true
            Layout.preferredWidth: 400
            Layout.alignment: Qt.AlignTop
            ApplyToggle {
                objectName: "applyPledge"
                Layout.fillWidth: true
                fontScale: step.fontScale
                text: qsTr("申请人承诺")
                detail: qsTr("本人承诺所填信息真实有效，所获取的政府信息将依法使用")
                chosen: ApplyWizard.values["pledge_accepted"] === true
                onClicked: ApplyWizard.setValue("pledge_accepted", !chosen)
            }
            StepError { errorKey: "pledge_accepted"; errorLabel: qsTr("申请人承诺") }
        }
    }
    ApplyField {
        visible: ApplyWizard.proxy
        key: "proxy.staff_id"; required: true
        label: qsTr("代为填写的工作人员工号")
        pad: "digits"
    }
    ApplyField {
        visible: ApplyWizard.proxy
        key: "proxy.note"
        label: qsTr("备注（如：申请人书写困难）")
    }
}
