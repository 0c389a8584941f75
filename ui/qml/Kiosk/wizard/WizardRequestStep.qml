// Step 3 of the application wizard: the information asked for, its 文号 and purpose.
import QtQuick
import QtQuick.Layouts
import Kiosk

ColumnLayout {
    id: step
    property bool wide: false
    readonly property real fontScale: Theme.scale
    spacing: 24
    ApplyField {
        key: "request.description"; required: true; multiline: true
        label: qsTr("所需政府信息的名称或描述")
        hint: qsTr("写明信息名称、文号或便于查找的其他特征，如“2025年万宝镇农村低保资金发放情况”")
    }
    ApplyField {
        key: "request.doc_number"
        label: qsTr("文号（知道时填写）")
        hint: qsTr("如：娄星政发〔2025〕3号")
    }
    ApplyField {
        key: "request.purpose"
        label: qsTr("所需信息的用途（选填）")
    }
}
