/// One key press (or one paste) as the screens see it.
public enum Key: Hashable, Sendable {
    case character(Character)
    /// Ctrl plus a letter, lowercased: `.control("c")` is Ctrl-C.
    case control(Character)
    /// Alt (or Esc) followed by a character.
    case alt(Character)
    case enter, escape, tab, backTab, backspace, delete, insert
    case up, down, left, right, home, end, pageUp, pageDown
    case function(Int)
    /// A bracketed paste: the text, never read as keys.
    case paste(String)
    /// A sequence this decoder does not know; ignored by the screens.
    case unknown
}
