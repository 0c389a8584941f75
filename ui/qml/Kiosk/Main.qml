// The kiosk shell: header (zone, clock, last update, large-text switch), the StackView of screens,
// the footer (back, home, search, 依申请公开, rating), the embedded Pinyin keyboard, the idle countdown
// and the attract screen. Screens move through the Nav singleton; routes live in Routes.qml.
import QtQuick
import QtQuick.Controls
import QtQuick.VirtualKeyboard
import QtQuick.VirtualKeyboard.Settings
import Kiosk.Backend

ApplicationWindow {
    id: win
    objectName: "mainWindow"
    width: 1920
    height: 1080
    visible: true
    title: qsTr("政务公开专区")
    color: Theme.pageBg
    visibility: fullscreen ? Window.FullScreen : Window.Windowed

    property string fontFamily: "Noto Sans SC"
    property bool fullscreen: true
    property bool largeText: Terminal.largeTextDefault
    property string startRoute: ""
    property var startProps: ({})
    property string startOverlay: ""

    readonly property Item currentPage: stack.currentItem
    readonly property bool homeReady: stack.depth === 1 && !!stack.currentItem && stack.currentItem.ready === true
    readonly property bool screenReady: !stack.busy && !!stack.currentItem
                                        && stack.currentItem.ready !== false
                                        && stack.currentItem.settled !== false
                                        && (startRoute === "" || stack.depth > 1)
                                        && (startOverlay !== "attract" || attract.visible)
    readonly property bool keyboardUp: inputPanel.active

    font.family: fontFamily
    font.pixelSize: Theme.fontBody

    onWidthChanged: Theme.portrait = height > width
    onHeightChanged: Theme.portrait = height > width
    onLargeTextChanged: Theme.largeText = largeText

    Component.onCompleted: {
        Theme.fontFamily = fontFamily
        Theme.portrait = height > width
        Theme.largeText = largeText
        VirtualKeyboardSettings.locale = "zh_CN"
        VirtualKeyboardSettings.activeLocales = ["zh_CN", "en_US"]
        if (startRoute !== "")
            openRoute(startRoute, startProps)
        if (startOverlay === "attract")
            attract.show()
    }

    function openRoute(route, props) {
        if (route === "home") { goHome(); return }
        var url = Routes.url(route)
        if (url === "") { toast.show(qsTr("该功能暂未开放")); return }
        var comp = Qt.createComponent(url)
        if (comp.status !== Component.Ready) {
            console.info("route " + route + " unavailable: " + comp.errorString())
            toast.show(qsTr("该功能暂未开放"))
            return
        }
        stack.push(comp, props || {})
    }
    function goHome() {
        Qt.inputMethod.hide()
        if (stack.depth > 1)
            stack.pop(null)
    }

    Connections {
        target: Nav
        function onOpenRequested(route, props) { win.openRoute(route, props) }
        function onBackRequested() { if (stack.depth > 1) { Qt.inputMethod.hide(); stack.pop() } }
        function onHomeRequested() { win.goHome() }
        function onNotice(text) { toast.show(text) }
    }
    Connections {
        target: Idle
        function onTimedOut() {
            win.goHome()
            Terminal.endVisit("idle")
            win.largeText = Terminal.largeTextDefault
            Theme.largeText = win.largeText
            attract.show()
        }
    }

    KioskHeader {
        id: header
        anchors { left: parent.left; right: parent.right; top: parent.top }
        largeText: win.largeText
        onToggleLargeText: { win.largeText = !win.largeText }
        onHomeTapped: win.goHome()
    }

    Item {
        id: content
        anchors { left: parent.left; right: parent.right; top: header.bottom
                  bottom: win.keyboardUp ? inputPanel.top : footer.top }
        clip: true

        StackView {
            id: stack
            objectName: "stack"
            anchors.fill: parent
            initialItem: HomePage { }
            pushEnter: Transition { NumberAnimation { property: "x"; from: stack.width * 0.15; to: 0; duration: 80; easing.type: Easing.OutCubic }
                                    NumberAnimation { property: "opacity"; from: 0; to: 1; duration: 80 } }
            pushExit: Transition { NumberAnimation { property: "opacity"; from: 1; to: 0; duration: 80 } }
            popEnter: Transition { NumberAnimation { property: "opacity"; from: 0; to: 1; duration: 80 } }
            popExit: Transition { NumberAnimation { property: "opacity"; from: 1; to: 0; duration: 80 } }
            replaceEnter: pushEnter
            replaceExit: pushExit
        }
    }

    KioskFooter {
        id: footer
        anchors { left: parent.left; right: parent.right; bottom: parent.bottom }
        visible: !win.keyboardUp
        canGoBack: stack.depth > 1
        currentRoute: stack.currentItem && stack.currentItem.route ? stack.currentItem.route : "home"
    }

    InputPanel {
        id: inputPanel
        objectName: "inputPanel"
        z: 90
        width: Theme.portrait ? win.width : Math.min(win.width, 1500)
        x: (win.width - width) / 2
        y: active ? win.height - height : win.height
        Behavior on y { NumberAnimation { duration: 80 } }
    }

    // Any touch anywhere restarts the idle clock; the handler is passive, the touch still reaches
    // whatever is under it (the keyboard included).
    Item {
        anchors.fill: parent
        z: 98
        PointHandler {
            objectName: "activityHandler"
            acceptedDevices: PointerDevice.AllDevices
            onActiveChanged: if (active) Idle.poke()
        }
    }

    Toast { id: toast; z: 95 }
    IdleOverlay { id: idleOverlay; z: 96; anchors.fill: parent }
    AttractScreen { id: attract; z: 97; anchors.fill: parent }
}
