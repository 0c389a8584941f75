// Step 2 of the application wizard: the applicant's details (Article 29 (1)); numbers on the key pad.
import QtQuick
import QtQuick.Layouts
import Kiosk
import Kiosk.Backend

GridLayout {
    id: step
    property bool wide: false
    readonly property real fontScale: Theme.scale
    readonly property bool citizen: ApplyWizard.applicantKind !== ApplyWizard.Kind.Organisation
    columns: step.wide ? 2 : 1
    columnSpacing: 40
    rowSpacing: 24
    ApplyField {
        key: "applicant.name"; required: true; personName: true
        label: parent.citizen ? qsTr("姓名") : qsTr("单位名称")
        hint: qsTr("点击后用拼音输入")
    }
    ApplyField {
        key: "applicant.id_number"; required: true
        label: parent.citizen ? qsTr("居民身份证号码") : qsTr("统一社会信用代码")
        hint: parent.citizen ? qsTr("18位，末位可能是X") : qsTr("18位数字或大写字母")
        // citizens: the number pad with its X key (the check digit); organisations: digits and letters
        pad: parent.citizen ? "id" : "code"
    }
    ApplyField {
        visible: !parent.citizen
        key: "applicant.legal_representative"; required: true; personName: true
        label: qsTr("法定代表人或者主要负责人")
    }
    ApplyField {
        visible: !parent.citizen
        key: "applicant.contact_person"; required: true; personName: true
        label: qsTr("联系人姓名")
    }
    ApplyField {
        key: "applicant.phone"; required: true
        label: qsTr("联系电话")
        hint: qsTr("手机11位，或 区号-号码")
        pad: "phone"
    }
    ApplyField {
        visible: parent.citizen
        key: "applicant.employer"
        label: qsTr("工作单位")
    }
    ApplyField {
        key: "applicant.address"; required: true
        label: qsTr("通信地址")
    }
    ApplyField {
        key: "applicant.postcode"
        label: qsTr("邮政编码")
        hint: qsTr("6位数字，邮寄时必填")
        pad: "digits"
    }
    ApplyField {
        key: "applicant.email"
        label: qsTr("电子邮箱")
        hint: qsTr("选择电子邮件时必填")
        inputHints: Qt.ImhEmailCharactersOnly | Qt.ImhNoAutoUppercase
    }
}
