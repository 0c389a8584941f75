// A round, checkable chip (filters, recent and popular searches); at least 72 px high.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import Kiosk

AbstractButton {
    id: control
    implicitHeight: Theme.target
    implicitWidth: Math.max(Theme.target * 1.4, t.implicitWidth + 56)
    focusPolicy: Qt.NoFocus
    background: Rectangle { radius: height / 2; color: control.checked ? Theme.primary : (control.pressed ? "#EFE8DA" : Theme.cardBg)
                            border.color: Theme.primary; border.width: 2 }
    contentItem: Text { textFormat: Text.PlainText; id: t; text: control.text; font.pixelSize: Theme.fontBody; color: control.checked ? "white" : Theme.primary
                        horizontalAlignment: Text.AlignHCenter; verticalAlignment: Text.AlignVCenter }
}
