/// This build of IPM, as `--version` prints it.
public enum IPMBuild {
    public static let version = "0.1.0"
}
