// Visit (singleton): what the screens remember about the current resident's visit, and forget when it
// ends (idle timeout or staff): whether an application was submitted, whether the rating prompt was
// answered or dismissed (then it does not come back in this visit), and how many pages were printed
// (against Terminal.printPageCap). Main.qml resets it on Terminal.visitEnded.
pragma Singleton
import QtQuick

QtObject {
    property bool applied: false
    property bool ratingClosed: false
    property int pagesPrinted: 0
    function reset() { applied = false; ratingClosed = false; pagesPrinted = 0 }
}
