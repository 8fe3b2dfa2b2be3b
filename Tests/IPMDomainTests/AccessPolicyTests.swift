import IPMDomain
import Testing

@Suite("AccessPolicy")
struct AccessPolicyTests {
    /// The rule as the seed implies it, written out independently of the implementation.
    static func expected(_ role: Role, _ action: CompanyAction) -> Bool {
        switch role {
        case .admin: return true
        case .viewer: return action == .view
        }
    }

    @Test("every role × action", arguments: Role.allCases, CompanyAction.allCases)
    func matrix(role: Role, action: CompanyAction) throws {
        let admin = try Fixture.admin()
        #expect(AccessPolicy.allows(role, action) == Self.expected(role, action))
        if Self.expected(role, action) {
            #expect(throws: Never.self) { try AccessPolicy.check(action, by: admin, role: role, company: "Acme") }
        } else {
            let error = #expect(throws: DomainError.self) { try AccessPolicy.check(action, by: admin, role: role, company: "Acme") }
            #expect(error == .forbidden(action.rawValue))
            #expect(error?.isForbidden == true)
            #expect(error?.description == "your role does not allow you to \(action.rawValue)")
        }
    }

    @Test("a non-member gets not found, naming only what they typed", arguments: CompanyAction.allCases)
    func nonMember(action: CompanyAction) throws {
        let admin = try Fixture.admin()
        let error = #expect(throws: DomainError.self) { try AccessPolicy.check(action, by: admin, role: nil, company: "Acme") }
        #expect(error == .notFound("company", "Acme"))
        #expect(error?.isNotFound == true)
        #expect(error?.isForbidden == false)
        #expect(error?.description == "no company named 'Acme'")
    }

    @Test("a disabled admin is refused even as a member", arguments: [Role.admin, .viewer, nil] as [Role?], CompanyAction.allCases)
    func disabled(role: Role?, action: CompanyAction) throws {
        let admin = try Fixture.admin(disabled: true)
        #expect(throws: DomainError.adminDisabled) { try AccessPolicy.check(action, by: admin, role: role, company: "Acme") }
    }

    @Test("actions read as what a person tries to do")
    func actionWords() {
        #expect(CompanyAction.allCases.map(\.rawValue) == ["view", "opt in", "opt out", "manage the company's admins"])
    }
}

@Suite("DomainError")
struct DomainErrorTests {
    @Test("each kind answers only its own question")
    func predicates() {
        let cases: [(DomainError, String)] = [
            (.invalidInput(field: "email", "is bad"), "email is bad"),
            (.notFound("admin", "bob"), "no admin named 'bob'"),
            (.alreadyExists("company", "Acme"), "a company named 'Acme' already exists"),
            (.forbidden("opt out"), "your role does not allow you to opt out"),
            (.adminDisabled, "this admin account is disabled"),
            (.illegalTransition(from: "opted out", action: "opt out"), "cannot opt out: the company's UPS connection is opted out"),
            (.invalidCredentials, "the sign-in name or password is incorrect"),
        ]
        for (index, (error, description)) in cases.enumerated() {
            #expect(error.description == description)
            #expect(error.isInvalidInput == (index == 0))
            #expect(error.isNotFound == (index == 1))
            #expect(error.isAlreadyExists == (index == 2))
            #expect(error.isForbidden == (index == 3))
            #expect(error.isIllegalTransition == (index == 5))
            for (otherIndex, (other, _)) in cases.enumerated() {
                #expect((error == other) == (index == otherIndex))
            }
        }
        #expect(DomainError.notFound("company", "A") != .notFound("company", "B"))
    }

    @Test("the invalid-credentials message does not say which half was wrong")
    func invalidCredentials() {
        #expect(!DomainError.invalidCredentials.description.contains("unknown"))
        #expect(DomainError.invalidCredentials.description.contains("sign-in name or password"))
    }

    @Test("audit actors and actions read well")
    func auditWords() throws {
        #expect(AuditActor.admin(AdminID(), try SignInName("Alice")).description == "Alice")
        #expect(AuditActor.system("refresh").description == "IPM (refresh)")
        #expect(AuditActor.operator("root").description == "operator root")
        #expect(AuditAction.allCases.map(\.rawValue) == ["company_created", "membership_granted", "opted_in", "opted_out", "reauthorization_required", "refresh_failed"])
        #expect(Set(AuditAction.allCases.map(\.title)).count == AuditAction.allCases.count)
    }
}
