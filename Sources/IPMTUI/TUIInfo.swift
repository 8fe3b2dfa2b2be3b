/// Facts about the terminal UI that its launcher prints.
public enum TUIInfo {
    public static let abstract = "The full-screen terminal UI of IPM."
}
