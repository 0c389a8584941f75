// Nav (singleton): how any screen asks to move. Main.qml owns the StackView and listens.
//   Nav.open("document", {docId: "…"})   push a route of Routes.qml with its properties
//   Nav.back()  Nav.home()                pop one screen / return to home
// Every screen opens the same way, e.g. Nav.open("wizard"), Nav.open("status"), Nav.open("staff"); a route
// that cannot be opened is reported by Main.qml (PageError.qml), never skipped quietly.
pragma Singleton
import QtQuick

QtObject {
    signal openRequested(string route, var props)
    signal backRequested()
    signal homeRequested()
    signal notice(string text)           // a short message shown at the bottom (toast)

    function open(route, props) { openRequested(route, props || {}) }
    function back() { backRequested() }
    function home() { homeRequested() }
    function say(text) { notice(text) }
}
