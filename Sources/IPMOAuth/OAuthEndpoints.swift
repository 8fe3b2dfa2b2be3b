/// The UPS OAuth paths, all under `/security/v1/oauth/` (UPS-OAUTH.md).
public enum OAuthEndpoints {
    public static let authorize = "/security/v1/oauth/authorize"
    public static let token = "/security/v1/oauth/token"
    public static let refresh = "/security/v1/oauth/refresh"
    public static let validateClient = "/security/v1/oauth/validate-client"
}
