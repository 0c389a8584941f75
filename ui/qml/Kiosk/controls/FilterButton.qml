// A filter chip showing its current choice ("年份：2026"); tapping opens a ChoicePopup.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import Kiosk

AbstractButton {
    id: control
    property string label: ""
    property string valueText: ""
    property bool active: false
    implicitHeight: Theme.target
    implicitWidth: t.implicitWidth + 56
    focusPolicy: Qt.NoFocus
    background: Rectangle { radius: height / 2; color: control.active ? Theme.primary : (control.pressed ? "#EFE8DA" : Theme.cardBg)
                            border.color: Theme.primary; border.width: 2 }
    contentItem: Text { textFormat: Text.PlainText; id: t; text: control.label + "：" + control.valueText + "  ▼"; font.pixelSize: Theme.fontBody
                        horizontalAlignment: Text.AlignHCenter; verticalAlignment: Text.AlignVCenter
                        color: control.active ? "white" : Theme.primary; elide: Text.ElideRight }
}
