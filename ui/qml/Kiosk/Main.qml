// The kiosk shell: header (zone, clock, last update, large-text switch), the StackView of screens,
// the footer (back, home, search, 依申请公开, rating), the embedded Pinyin keyboard, the idle countdown
// and the attract screen. Screens move through the Nav singleton; routes live in Routes.qml. A screen
// that cannot be opened is reported (a Qt warning with the reason) and PageError.qml tells the resident
// so, with a way home.
pragma ComponentBehavior: Bound
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

    readonly property Item currentPage: stack.currentItem    // Python reads this one (a QQuickItem)
    readonly property KioskPage topPage: stack.currentItem as KioskPage
    readonly property bool homeReady: stack.depth === 1 && !!topPage && topPage.ready
    readonly property bool screenReady: !stack.busy && !!topPage
                                        && topPage.ready
                                        && topPage.settled
                                        && (startRoute === "" || stack.depth > 1)
                                        && (startOverlay !== "attract" || attract.visible)
                                        && (startOverlay !== "charfinder" || CharFinder.total > 0)
    readonly property bool keyboardUp: inputPanel.active
    readonly property bool padUp: KeyEntry.active       // the kiosk's own number/code pad (KeyPad.qml)

    font.family: fontFamily
    font.pixelSize: Theme.fontBody

    onWidthChanged: Theme.portrait = height > width
    onHeightChanged: Theme.portrait = height > width
    onLargeTextChanged: Theme.largeText = largeText

    Component.onCompleted: {
        Theme.fontFamily = fontFamily
        Theme.portrait = height > width
        Theme.largeText = largeText
        VirtualKeyboardSettings.styleName = "kiosk"   // ui/qml/QtQuick/VirtualKeyboard/Styles/kiosk/style.qml
        VirtualKeyboardSettings.locale = "zh_CN"
        VirtualKeyboardSettings.activeLocales = ["zh_CN", "en_US"]
        if (startRoute !== "")
            openRoute(startRoute, startProps)
        if (startOverlay === "attract")
            attract.show()
        if (startOverlay === "charfinder")
            CharPicker.showExample()
    }

    function openRoute(route: string, props: var) {
        if (route === "home") { goHome(); return }
        const page = Routes.page(route)
        if (!page) { pageFailed(route, "no such route"); return }
        const depth = stack.depth
        stack.push(page, props || {})
        // StackView warns why it could not create the page (a required property missing, …) and
        // leaves an empty entry on top: take it off and say so
        if (stack.depth > depth && stack.get(stack.depth - 1) === null) {
            stack.popCurrentItem(StackView.Immediate)
            pageFailed(route, "the page could not be created")
        }
    }
    function pageFailed(route: string, why: string) {
        console.warn("page \"" + route + "\" failed to load: " + why)
        KeyEntry.hideAll()
        stack.push(pageError, { failedRoute: route })
    }
    Component { id: pageError; PageError { } }
    function goHome() {
        KeyEntry.hideAll()
        if (stack.depth > 1)
            stack.pop(null)
    }

    // A move the resident asked for (Nav, the header's zone title): away from a page holding typed,
    // unsent data it asks first (LeaveConfirm.qml); the idle timeout does not ask.
    function leaveThen(action) {
        if (topPage && topPage.hasInput) {
            KeyEntry.hideAll()
            leaveConfirm.ask(action)
        } else {
            action()
        }
    }
    Connections {
        target: Nav
        function onOpenRequested(route, props) { win.leaveThen(function () { win.openRoute(route, props) }) }
        function onBackRequested() {
            if (stack.depth > 1) win.leaveThen(function () { KeyEntry.hideAll(); stack.pop() })
        }
        function onHomeRequested() { win.leaveThen(win.goHome) }
        function onNotice(text) { toast.show(text) }
    }
    Connections {
        target: Terminal
        function onVisitEnded(reason) { Visit.reset() }
    }
    Connections {
        target: Idle
        function onTimedOut() {
            leaveConfirm.stay()
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
        compact: (win.keyboardUp || win.padUp) && !Theme.portrait
        onToggleLargeText: { win.largeText = !win.largeText }
        onHomeTapped: Nav.home()
    }

    Item {
        id: content
        anchors { left: parent.left; right: parent.right; top: header.bottom
                  bottom: win.keyboardUp ? keyboardDock.top : win.padUp ? keyPad.top : footer.top }
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
        visible: !win.keyboardUp && !win.padUp
        canGoBack: stack.depth > 1
        currentRoute: win.topPage ? win.topPage.route : "home"
    }

    // While the keyboard is up the footer steps aside and the keyboard brings its own way out: in
    // landscape 返回 / 首页 on its left and 收起键盘 on its right (the keyboard is narrower than the
    // screen), in portrait the same three keys on a bar right above it. Pages end above this dock,
    // so whatever they show (search results, the field being typed into) stays visible and scrollable.
    readonly property int dockSide: Theme.portrait ? 0 : Math.max(0, Math.round((win.width - inputPanel.width) / 2))
    Rectangle {
        id: keyboardDock
        objectName: "keyboardDock"
        z: 89
        x: 0
        width: win.width
        y: inputPanel.y - (Theme.portrait ? dockBar.height : 0)
        height: win.height - y
        visible: inputPanel.y < win.height - 0.5
        color: Theme.footerBg

        Row {
            id: dockBar
            visible: Theme.portrait
            height: Theme.portrait ? Theme.target + 20 : 0
            anchors { left: parent.left; right: parent.right; top: parent.top; leftMargin: Theme.margin; rightMargin: Theme.margin }
            topPadding: 10
            spacing: Theme.gap
            readonly property real keyWidth: (width - 2 * spacing) / 3
            KioskButton { objectName: "dockBack"; tone: "dark"; glyph: "←"; text: qsTr("返回"); width: dockBar.keyWidth
                          enabled: stack.depth > 1; onClicked: Nav.back() }
            KioskButton { objectName: "dockHome"; tone: "dark"; text: qsTr("首页"); width: dockBar.keyWidth; onClicked: Nav.home() }
            KioskButton { objectName: "dockHideKeyboard"; tone: "gold"; text: qsTr("收起键盘"); width: dockBar.keyWidth
                          onClicked: InputMethod.hide() }
        }
        Column {
            visible: !Theme.portrait && win.dockSide >= Theme.target * 2
            anchors { left: parent.left; top: parent.top; margins: Theme.gap }
            width: win.dockSide - 2 * Theme.gap
            spacing: Theme.gap
            KioskButton { objectName: "dockBackSide"; tone: "dark"; glyph: "←"; text: qsTr("返回"); width: parent.width
                          enabled: stack.depth > 1; onClicked: Nav.back() }
            KioskButton { objectName: "dockHomeSide"; tone: "dark"; text: qsTr("首页"); width: parent.width; onClicked: Nav.home() }
        }
        KioskButton {
            objectName: "dockHideKeyboardSide"
            visible: !Theme.portrait && win.dockSide >= Theme.target * 2
            anchors { right: parent.right; top: parent.top; margins: Theme.gap }
            width: win.dockSide - 2 * Theme.gap
            tone: "gold"; text: qsTr("收起键盘")
            onClicked: InputMethod.hide()
        }
    }

    KeyPad { id: keyPad; z: 90; width: win.width }
    // the rare-character finder of name fields (CharPicker.qml): over everything but the keyboard itself
    CharFinderPanel { z: 89.5; anchors.fill: parent; bottomInset: win.keyboardUp ? win.height - keyboardDock.y : 0 }

    InputPanel {
        id: inputPanel
        objectName: "inputPanel"
        z: 90
        // landscape: narrower than the screen (shorter, so more of the page stays in view above it)
        width: Theme.portrait ? win.width : Math.min(win.width, Theme.largeText ? 1320 : 1200)
        x: (win.width - width) / 2
        y: active ? win.height - height : win.height
        // slides in and out; when the candidate bar appears (the panel grows upward) the keys must not
        // move under a typing finger, so only showing and hiding animate
        property bool sliding: false
        onActiveChanged: { sliding = true; slideEnd.restart() }
        Timer { id: slideEnd; interval: 150; onTriggered: inputPanel.sliding = false }
        Behavior on y { enabled: inputPanel.sliding; NumberAnimation { duration: 80 } }

        // 上一页 / 下一页 at the right end of the Pinyin candidate bar: more candidates without swiping a
        // thin strip. They page the keyboard's own candidate list (Keyboard.wordCandidateView).
        CandidatePager {
            id: candidatePager
            view: inputPanel.keyboard ? inputPanel.keyboard.wordCandidateView : null
            panel: inputPanel
        }
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

    LeaveConfirm { id: leaveConfirm; z: 94; anchors.fill: parent }
    Toast { id: toast; z: 95 }
    IdleOverlay { id: idleOverlay; z: 96; anchors.fill: parent }
    AttractScreen { id: attract; z: 97; anchors.fill: parent }
}
