// Theme (singleton): colours, type sizes and touch-target sizes for both modes — standard and the
// large-type, high-contrast mode for elderly residents (适老化). Every screen reads sizes from here,
// so Theme.largeText = true enlarges the whole kiosk at once. Main.qml sets `portrait` and `fontFamily`.
pragma Singleton
import QtQuick
import Kiosk.Backend

QtObject {
    id: theme
    property bool largeText: false
    property bool portrait: false
    property string fontFamily: "Noto Sans SC"

    readonly property real scale: largeText ? 1.3 : 1.0

    // colours: deep government red header, white cards, dark text; high contrast in large mode
    readonly property color headerBg: largeText ? "#7A0000" : "#A4161A"
    readonly property color headerBg2: largeText ? "#7A0000" : "#8B1015"
    readonly property color headerText: "#FFFFFF"
    readonly property color accent: largeText ? "#FFE082" : "#F6D38A"      // gold line under the header
    readonly property color pageBg: largeText ? "#FFFFFF" : "#F3EFE7"
    readonly property color cardBg: "#FFFFFF"
    readonly property color cardBorder: largeText ? "#000000" : "#DDD5C7"
    readonly property int cardBorderWidth: largeText ? 3 : 1
    readonly property color text: largeText ? "#000000" : "#1E1E1E"
    readonly property color textMuted: largeText ? "#000000" : "#5A5650"
    readonly property color primary: largeText ? "#002F6C" : "#1B4F8F"      // buttons, links
    readonly property color primaryPressed: "#0E3566"
    readonly property color primaryText: "#FFFFFF"
    readonly property color secondaryBg: largeText ? "#FFFFFF" : "#E9E3D6"
    readonly property color highlight: "#B71C1C"
    readonly property color inForce: "#1B5E20"
    readonly property color amended: "#BF4A00"
    readonly property color repealed: "#B71C1C"
    readonly property color footerBg: largeText ? "#000000" : "#2B2B2B"
    readonly property color focusRing: "#F9A825"

    // type (pixel sizes)
    readonly property int fontSmall: largeText ? 36 : 22          // small print stays readable in large text (≥ 36 px)
    readonly property int fontBody: largeText ? 36 : 27
    readonly property int fontLarge: Math.round(32 * scale)
    readonly property int fontTitle: Math.round(40 * scale)
    readonly property int fontHuge: Math.round(52 * scale)
    readonly property int fontTile: Math.round(34 * scale)

    // touch targets and spacing
    readonly property int target: largeText ? 96 : 80          // never below 72 px
    readonly property int gap: Math.round(20 * (largeText ? 1.15 : 1))
    readonly property int margin: portrait ? 32 : 40
    readonly property int radius: 14
    readonly property int headerHeight: Math.round((portrait ? (largeText ? 218 : 200) : 128) * (largeText ? 1.15 : 1))
    readonly property int footerHeight: largeText ? 112 : 100

    // a type size designed for standard mode (n px), in the current mode: never under 36 px in large text
    function px(n: real): int {
        return largeText ? Math.max(36, Math.round(n * scale)) : Math.round(n)
    }

    // a DocumentStatus.Status
    function statusColor(status: int): color {
        return status === DocumentStatus.Status.Repealed ? repealed : status === DocumentStatus.Status.Amended ? amended : inForce
    }
}
