import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import UPSSandbox

/// The resource API behind the bearer token.
@Suite("UPS sandbox: tracking API")
struct TrackingTests {
    @Test func aValidTokenGetsDeterministicTrackingDetails() async throws {
        try await RunningSandbox.with { ups in
            let token = try await ups.tokens()["access_token"]
            let first = try await ups.track("1z999aa10123456784", token: token)
            #expect(first.status == .ok)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(first.text.utf8)) as? [String: Any])
            let shipment = try #require(((json["trackResponse"] as? [String: Any])?["shipment"] as? [[String: Any]])?.first)
            #expect(shipment["inquiryNumber"] as? String == "1Z999AA10123456784")
            let package = try #require((shipment["package"] as? [[String: Any]])?.first)
            #expect(package["trackingNumber"] as? String == "1Z999AA10123456784")
            #expect((package["activity"] as? [Any])?.isEmpty == false)
            #expect((package["currentStatus"] as? [String: Any])?["description"] is String)
            #expect(try await ups.track("1z999aa10123456784", token: token).text == first.text)
            #expect(try await ups.track("1Z999AA10123456785", token: token).text != first.text)
            #expect(try await ups.track("not-valid!", token: token).status == .badRequest)
        }
    }

    @Test func aMissingUnknownOrExpiredTokenIs401With250002() async throws {
        try await RunningSandbox.with({ $0.lifetimes.accessTokenSeconds = 1 }) { ups in
            // A long-lived token for the one good call (a loaded machine may take more than a
            // second between issuing and using a token), then a 1-second one to expire.
            try ups.sandbox.setLifetimes(Lifetimes(accessTokenSeconds: 3600))
            let good = try await ups.tokens()
            #expect(try await ups.track(token: good["access_token"]).status == .ok)
            try ups.sandbox.setLifetimes(Lifetimes(accessTokenSeconds: 1))
            let tokens = try await ups.tokens()
            #expect(tokens["expires_in"] == "1")
            let basic = try await ups.get("/api/track/v1/details/1Z1", headers: RunningSandbox.basic())
            for response in [try await ups.track(token: nil), try await ups.track(token: "made-up"), basic] {
                #expect(response.status == .unauthorized)
                #expect(response.upsError?.code == "250002")
                #expect(response.upsError?.message == "Invalid Authentication Information")
            }
            try await Task.sleep(for: .milliseconds(1100))
            #expect(try await ups.track(token: tokens["access_token"]).upsError?.code == "250002")
            let counters = try await ups.counters()
            #expect(counters["resource_calls_ok"] == 1)
            #expect(counters["resource_calls_unauthorized"] == 4)
        }
    }
}

@Suite("UPS sandbox: APIs of the app")
struct TrackingAPIOfTheAppTests {
    @Test func aValidTokenOfAnAppWithoutTheAPIIs401With250002() async throws {
        try await RunningSandbox.with({ $0.clients[0].apis = ["rating"] }) { ups in
            let token = try await ups.tokens()["access_token"]
            let response = try await ups.track(token: token)
            #expect(response.status == .unauthorized)
            #expect(response.upsError?.code == "250002")
            #expect(try await ups.counters()["resource_calls_unauthorized"] == 1)
        }
        try await RunningSandbox.with({ $0.clients[0].apis = ["rating", "tracking"] }) { ups in
            let token = try await ups.tokens()["access_token"]
            #expect(try await ups.track(token: token).status == .ok)
        }
    }
}
