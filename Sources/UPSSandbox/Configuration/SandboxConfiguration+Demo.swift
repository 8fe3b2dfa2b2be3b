extension SandboxConfiguration {
    /// The demo world: IPM's demo app and one UPS.com user, as `ups-sandbox` starts with no config.
    public static func demo(host: String = "127.0.0.1", port: Int = 8090) -> SandboxConfiguration {
        SandboxConfiguration(
            host: host,
            port: port,
            clients: [
                RegisteredClient(
                    clientID: "ipm-demo-client",
                    clientSecret: "ipm-demo-secret",
                    redirectURIs: ["http://127.0.0.1:8080/oauth/ups/callback"],
                    appName: "Intelligent Pickup Manager"
                )
            ],
            users: [
                UPSUser(username: "demo-shipper", email: "shipper@example.com", password: "Shipper-Pass-1")
            ]
        )
    }
}
