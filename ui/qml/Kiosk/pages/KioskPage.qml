// The base of every screen the shell's StackView shows (the pages of Routes.qml): what Main.qml and the
// footer read from the page on top.
//   route     the page's route name (the footer marks it)
//   ready     true once its content is on screen (screenshots and tests wait for it)
//   settled   true once slower extras such as counts arrived
//   hasInput  true while the page holds something the resident typed and has not submitted: leaving it
//             (返回, 首页, the footer, the keyboard's 返回) asks first (LeaveConfirm.qml)
// What a page needs to show anything (a document's id, a category) is a `required property` of the page,
// passed by Nav.open(route, props): a page opened without it fails to load, and the shell reports it.
import QtQuick

Item {
    property string route: ""
    property bool ready: true
    property bool settled: true
    property bool hasInput: false
}
