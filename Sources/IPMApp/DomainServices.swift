import Foundation
import IPMDomain
import IPMPasswordHashing
import IPMPostgres

/// Every repository and service, built once on the opened database. The only place that
/// names the concrete PostgreSQL types.
struct DomainServices: Sendable {
    let clock: any Clock
    let companies: any CompanyRepository
    let admins: any AdminRepository
    let memberships: any MembershipRepository
    let connections: any UPSConnectionRepository
    let audit: any AuditEventRepository
    let sessions: SessionService
    let apiTokens: APITokenService
    let invitationRepository: any InvitationRepository
    let notifications: NotificationService
    /// Failed sign-ins and sign-up attempts, counted in the database for every instance.
    let throttle: any SignInThrottle
    let webhookLog: any WebhookDeliveryLog
    let forcedRefreshThrottle: any ForcedRefreshThrottle
    let forcedRefreshInterval: TimeInterval
    let authorizationRequests: any AuthorizationRequestRepository

    init(client: PostgresClient, configuration: IPMConfiguration, clock: any Clock = SystemClock()) throws {
        self.clock = clock
        companies = PostgresCompanyRepository(client: client, clock: clock)
        let hasher = BcryptPasswordHasher(cost: UInt8(configuration.passwordHashCost))
        admins = try PostgresAdminRepository(client: client, hasher: hasher, clock: clock)
        invitationRepository = PostgresInvitationRepository(client: client, hasher: hasher)
        memberships = PostgresMembershipRepository(client: client, clock: clock)
        connections = PostgresUPSConnectionRepository(client: client, lease: .seconds(configuration.refreshLease), publicURL: configuration.publicURL)
        audit = PostgresAuditEventRepository(client: client)
        throttle = PostgresSignInThrottle(client: client)
        sessions = SessionService(
            admins: admins, sessions: PostgresSessionRepository(client: client), throttle: throttle,
            clock: clock, random: SystemRandomSource()
        )
        notifications = NotificationService(notifications: PostgresNotificationRepository(client: client), clock: clock)
        authorizationRequests = PostgresAuthorizationRequestRepository(client: client)
        webhookLog = PostgresWebhookOutbox(client: client)
        forcedRefreshThrottle = PostgresForcedRefreshThrottle(client: client)
        forcedRefreshInterval = TimeInterval(configuration.forcedRefreshInterval)
        apiTokens = APITokenService(
            tokens: PostgresAPITokenRepository(client: client), admins: admins, clock: clock, random: SystemRandomSource(),
            lifetimes: configuration.apiTokenLifetimes
        )
    }

    func operatorService(operatorName: String) -> OperatorService {
        OperatorService(companies: companies, admins: admins, memberships: memberships, operatorName: operatorName)
    }

    var invitations: InvitationService {
        InvitationService(invitations: invitationRepository, access: companyAccess, clock: clock, random: SystemRandomSource(), throttle: throttle)
    }

    var webhookDeliveries: WebhookDeliveries {
        WebhookDeliveries(log: webhookLog, access: companyAccess, clock: clock)
    }

    /// "Refresh now" with the server's refresher.
    func forcedRefresh(with refresher: any UPSTokenRefreshing) -> ForcedRefresh {
        ForcedRefresh(
            access: companyAccess, refresher: refresher, throttle: forcedRefreshThrottle, audit: audit, clock: clock, interval: forcedRefreshInterval)
    }

    var companyAccess: CompanyAccess {
        CompanyAccess(
            companies: companies, memberships: memberships, connections: connections, audit: audit, clock: clock,
            requests: authorizationRequests
        )
    }
}
