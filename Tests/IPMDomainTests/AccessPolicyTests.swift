import Foundation
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
            #expect(throws: Never.self) { try AccessPolicy.check(action, by: admin, role: role, company: .name(try! CompanyName("Acme"))) }
        } else {
            let error = #expect(throws: DomainError.self) {
                try AccessPolicy.check(action, by: admin, role: role, company: .name(try! CompanyName("Acme")))
            }
            #expect(error == .forbidden(action.rawValue))
            #expect(error?.isForbidden == true)
            #expect(error?.description == "your role does not allow you to \(action.rawValue)")
        }
    }

    @Test("a non-member gets not found, naming only what they typed", arguments: CompanyAction.allCases)
    func nonMember(action: CompanyAction) throws {
        let admin = try Fixture.admin()
        let error = #expect(throws: DomainError.self) {
            try AccessPolicy.check(action, by: admin, role: nil, company: .name(try! CompanyName("Acme")))
        }
        #expect(error == .notFound("company", "Acme"))
        #expect(error?.isNotFound == true)
        #expect(error?.isForbidden == false)
        #expect(error?.description == "no company named 'Acme'")
    }

    @Test("a non-member naming the company by id gets not found by id", arguments: CompanyAction.allCases)
    func nonMemberByID(action: CompanyAction) throws {
        let admin = try Fixture.admin()
        let id = CompanyID()
        let error = #expect(throws: DomainError.self) { try AccessPolicy.check(action, by: admin, role: nil, company: .id(id)) }
        #expect(error == .companyNotFound(.id(id)))
        #expect(error?.isNotFound == true)
        #expect(error?.description == "no company with id \(id.rawValue.uuidString.lowercased())")
    }

    @Test("a disabled admin is refused even as a member", arguments: [Role.admin, .viewer, nil] as [Role?], CompanyAction.allCases)
    func disabled(role: Role?, action: CompanyAction) throws {
        let admin = try Fixture.admin(disabled: true)
        #expect(throws: DomainError.adminDisabled) { try AccessPolicy.check(action, by: admin, role: role, company: .name(try! CompanyName("Acme"))) }
    }

    @Test("actions read as what a person tries to do")
    func actionWords() {
        #expect(
            CompanyAction.allCases.map(\.rawValue) == [
                "view", "opt in", "opt out", "manage the company's admins",
                "force a refresh of the company's UPS tokens", "redeliver the company's webhook events",
            ])
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

    @Test("a company not found reads in the words used to name it")
    func companyNotFound() throws {
        let id = try #require(CompanyID("3F2504E0-4F89-41D3-9A0C-0305E82C3301"))
        let byID = DomainError.companyNotFound(.id(id))
        #expect(byID.description == "no company with id 3f2504e0-4f89-41d3-9a0c-0305e82c3301")
        #expect(byID.isNotFound)
        #expect(byID == .companyNotFound(.id(id)))
        #expect(byID != .companyNotFound(.id(CompanyID())))
        // An id is not a name, even when the text is the same.
        #expect(byID != .notFound("company", id.description))

        let byName = DomainError.companyNotFound(.name(try CompanyName("Acme")))
        #expect(byName == .notFound("company", "Acme"))
        #expect(byName.description == "no company named 'Acme'")
        #expect(byName.isNotFound)
    }

    @Test("echoed input has control and invisible characters spelled out")
    func printableDescription() {
        #expect(DomainError.notFound("admin", "bob\u{1b}[2J").description == "no admin named 'bob\\u{1b}[2J'")
        #expect(DomainError.alreadyExists("company", "A\u{202E}B").description == "a company named 'A\\u{202e}B' already exists")
        #expect(DomainError.invalidInput(field: "email", "'a\nb' is bad").description == "email 'a\\u{a}b' is bad")
        #expect(DomainError.notFound("company", "Zoë 日本 🚚").description == "no company named 'Zoë 日本 🚚'")
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
        #expect(
            AuditAction.allCases.map(\.rawValue) == [
                "company_created", "membership_granted", "opted_in", "opted_out", "reauthorization_required", "refresh_failed", "invitation_created",
                "invitation_revoked", "refresh_failing", "recovered", "blocked", "refresh_token_expiring", "refresh_forced", "webhook_redelivered",
            ])
        #expect(Set(AuditAction.allCases.map(\.title)).count == AuditAction.allCases.count)
    }
}
