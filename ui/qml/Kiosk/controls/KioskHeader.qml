// The header on every screen: the zone's name (娄星区政务公开专区 · 万宝镇), today's date and the clock,
// when the content was last updated, and the large-text switch (适老化, one tap from anywhere).
import QtQuick
import QtQuick.Layouts
import QtQuick.Shapes
import Kiosk
import Kiosk.Backend

Rectangle {
    id: root
    property bool largeText: false
    // one slim line (zone, clock, 大字模式) while the keyboard is up in landscape: the page gets the height
    property bool compact: false
    signal toggleLargeText()
    signal homeTapped()

    height: compact ? Theme.target + 20 : Theme.headerHeight
    gradient: Gradient {
        GradientStop { position: 0; color: Theme.headerBg }
        GradientStop { position: 1; color: Theme.headerBg2 }
    }

    Rectangle { anchors { left: parent.left; right: parent.right; bottom: parent.bottom } height: 6; color: Theme.accent }

    GridLayout {
        anchors { fill: parent; leftMargin: Theme.margin; rightMargin: Theme.margin; bottomMargin: root.compact ? 10 : 14; topMargin: root.compact ? 4 : 6 }
        columns: Theme.portrait ? 2 : 3
        rowSpacing: 0
        columnSpacing: Theme.gap

        // emblem-like seal and the zone title
        RowLayout {
            Layout.fillWidth: true
            Layout.columnSpan: Theme.portrait ? 2 : 1
            spacing: Theme.gap
            Rectangle {
                objectName: "staffSeal"
                Layout.preferredWidth: Math.round((root.compact ? 60 : 76) * Theme.scale); Layout.preferredHeight: Layout.preferredWidth
                radius: width / 2
                color: "transparent"; border.color: Theme.accent; border.width: 4
                Text { textFormat: Text.PlainText; anchors.centerIn: parent; text: qsTr("政务"); color: Theme.accent
                       font.pixelSize: Theme.largeText ? 36 : 26; font.bold: true }
                // Staff mode: press and hold the seal for 3 s (a resident's tap does nothing here);
                // the staff page itself asks for the PIN. While held, a ring fills around the seal, so
                // the person holding it sees that holding works and how long is left.
                TapHandler {
                    id: sealHold
                    longPressThreshold: 3
                    onLongPressed: Nav.open("staff")
                }
                Shape {
                    id: ring
                    objectName: "staffSealRing"
                    readonly property real progress: sealHold.pressed ? Math.min(1, sealHold.timeHeld / sealHold.longPressThreshold) : 0
                    visible: sealHold.pressed
                    anchors.centerIn: parent
                    width: parent.width + 20; height: width
                    ShapePath {
                        strokeColor: Theme.accent
                        strokeWidth: 8
                        fillColor: "transparent"
                        capStyle: ShapePath.RoundCap
                        PathAngleArc {
                            centerX: ring.width / 2; centerY: ring.height / 2
                            radiusX: ring.width / 2 - 4; radiusY: radiusX
                            startAngle: -90
                            sweepAngle: 360 * ring.progress
                        }
                    }
                }
            }
            ColumnLayout {
                Layout.fillWidth: true
                spacing: 2
                Text { textFormat: Text.PlainText;
                    objectName: "zoneTitle"
                    Layout.fillWidth: true
                    text: Terminal.zoneTitle
                    color: Theme.headerText
                    font.pixelSize: Theme.portrait ? Theme.fontTitle : Theme.fontHuge * 0.85
                    font.bold: true
                    elide: Text.ElideRight
                    MouseArea { anchors.fill: parent; onClicked: root.homeTapped() }
                }
                Text { textFormat: Text.PlainText;
                    objectName: "lastUpdated"
                    visible: !root.compact
                    text: qsTr("政府信息公开查询服务") + (Terminal.lastUpdated ? "  ·  " + qsTr("内容更新于 %1").arg(Terminal.lastUpdated) : "")
                          + (Terminal.syncWarning ? "  ·  ⚠ " + Terminal.syncWarning : "")
                    color: Terminal.syncWarning ? Theme.accent : "#F3E3C3"
                    font.bold: Terminal.syncWarning !== ""
                    font.pixelSize: Theme.fontSmall
                    Layout.fillWidth: true
                    elide: Text.ElideRight
                }
            }
        }

        GridLayout {
            Layout.alignment: (Theme.portrait ? Qt.AlignLeft : Qt.AlignRight) | Qt.AlignVCenter
            Layout.fillWidth: Theme.portrait
            columns: Theme.portrait ? 2 : 1
            rowSpacing: 0
            columnSpacing: 24
            Text { textFormat: Text.PlainText;
                objectName: "clock"
                Layout.alignment: (Theme.portrait ? Qt.AlignLeft : Qt.AlignRight) | Qt.AlignVCenter
                text: Clock.time      // the configured zone's time (kiosk/localtime.py), not the OS zone's
                color: Theme.headerText
                font.pixelSize: Theme.fontHuge * (Theme.portrait ? 0.8 : 0.9)
                font.bold: true
            }
            Text { textFormat: Text.PlainText;
                visible: !root.compact
                Layout.alignment: (Theme.portrait ? Qt.AlignLeft : Qt.AlignRight) | Qt.AlignVCenter
                objectName: "clockDate"
                text: Clock.date
                color: Theme.headerText
                font.pixelSize: Theme.portrait ? Theme.fontBody : Theme.fontSmall
            }
        }

        KioskButton {
            objectName: "largeTextButton"
            Layout.alignment: Qt.AlignRight | Qt.AlignVCenter
            text: root.largeText ? qsTr("标准字体") : qsTr("大字模式")
            glyph: root.largeText ? "A" : "A+"
            tone: "gold"
            onClicked: root.toggleLargeText()
        }
    }
}
