// The footer on every screen: 返回, 首页, 搜索, 依申请公开, 满意度评价 — big, labelled, no gestures needed.
import QtQuick
import QtQuick.Layouts
import Kiosk

Rectangle {
    id: root
    property bool canGoBack: false
    property string currentRoute: "home"
    // five equal buttons fit 1080 px in large type too (36 px labels): narrower gaps in portrait
    readonly property int labelSize: Theme.fontBody
    readonly property bool tight: Theme.portrait && Theme.largeText
    height: Theme.footerHeight
    color: Theme.footerBg

    RowLayout {
        anchors { fill: parent; leftMargin: root.tight ? 12 : Theme.margin; rightMargin: root.tight ? 12 : Theme.margin
                  topMargin: 10; bottomMargin: 10 }
        spacing: root.tight ? 8 : Theme.gap
        KioskButton { objectName: "backButton"; text: qsTr("返回"); glyph: "←"; tone: "dark"; enabled: root.canGoBack
                      Layout.fillWidth: true; Layout.preferredWidth: 1; Layout.fillHeight: true; fontSize: root.labelSize; leftPadding: 6; rightPadding: 6; onClicked: Nav.back() }
        KioskButton { objectName: "homeButton"; text: qsTr("首页"); tone: "dark"; checked: root.currentRoute === "home"
                      Layout.fillWidth: true; Layout.preferredWidth: 1; Layout.fillHeight: true; fontSize: root.labelSize; leftPadding: 6; rightPadding: 6; onClicked: Nav.home() }
        KioskButton { objectName: "footerSearchButton"; text: qsTr("搜索"); tone: "dark"; checked: root.currentRoute === "search"
                      Layout.fillWidth: true; Layout.preferredWidth: 1; Layout.fillHeight: true; fontSize: root.labelSize; leftPadding: 6; rightPadding: 6; onClicked: Nav.open("search", {}) }
        KioskButton { objectName: "footerApplyButton"; text: qsTr("依申请公开"); tone: "dark"; checked: root.currentRoute === "apply"
                      Layout.fillWidth: true; Layout.preferredWidth: 1; Layout.fillHeight: true; fontSize: root.labelSize; leftPadding: 6; rightPadding: 6; onClicked: Nav.open("apply", {}) }
        KioskButton { objectName: "footerRatingButton"; text: qsTr("满意度评价"); tone: "dark"; checked: root.currentRoute === "rating"
                      Layout.fillWidth: true; Layout.preferredWidth: 1; Layout.fillHeight: true; fontSize: root.labelSize; leftPadding: 6; rightPadding: 6; onClicked: Nav.open("rating", {}) }
    }
}
