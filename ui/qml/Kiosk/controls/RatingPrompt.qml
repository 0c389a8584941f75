// Offered on home after the resident has read something or applied: "您对本次服务满意吗？" with 去评价 and
// 不用了. It lives in the home screen's fixed top slot (nothing moves when it comes or goes) and stays
// away for the rest of the visit once answered (RatingPage) or dismissed (Visit.ratingClosed).
import QtQuick
import QtQuick.Layouts
import Kiosk

Card {
    color: "#F0F6FF"
    border.color: Theme.primary
    border.width: Theme.cardBorderWidth + 1
    RowLayout {
        anchors { fill: parent; leftMargin: 28; rightMargin: 4; topMargin: 4; bottomMargin: 4 }
        spacing: Theme.gap
        Text { textFormat: Text.PlainText; objectName: "ratingPromptText"; Layout.fillWidth: true; text: qsTr("您对本次服务满意吗？欢迎评价")
               elide: Text.ElideRight; font.pixelSize: Theme.fontBody; font.bold: true; color: Theme.text }
        KioskButton { objectName: "ratingPromptButton"; text: qsTr("去评价"); onClicked: Nav.open("rating", {}) }
        KioskButton { objectName: "ratingPromptDismiss"; tone: "light"; text: qsTr("不用了"); onClicked: Visit.ratingClosed = true }
    }
}
