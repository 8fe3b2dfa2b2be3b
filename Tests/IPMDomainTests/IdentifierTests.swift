import Foundation
import IPMDomain
import Testing

@Suite("Identifier text")
struct IdentifierTests {
    @Test("the canonical form parses, in any case, to the UUID Foundation reads from it")
    func canonical() {
        for _ in 0..<2000 {
            let uuid = UUID()
            for text in [uuid.uuidString, uuid.uuidString.lowercased(), Self.mixedCase(uuid.uuidString)] {
                #expect(CompanyID(text)?.rawValue == uuid, "\(text)")
                #expect(CompanyID(text)?.rawValue == UUID(uuidString: text), "\(text)")
            }
            #expect(CompanyID(uuid.uuidString)?.description == uuid.uuidString.lowercased())
            #expect(uuid.canonicalText == uuid.uuidString.lowercased())
            #expect(UUID(canonicalText: uuid.canonicalText) == uuid)
        }
        #expect(CompanyID("00000000-0000-0000-0000-000000000000")?.rawValue == UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)))
        #expect(CompanyID("FFFFFFFF-ffff-FFFF-ffff-FFFFFFFFFFFF")?.rawValue == UUID(uuidString: "ffffffff-ffff-ffff-ffff-ffffffffffff"))
    }

    @Test(
        "anything else is not an id",
        arguments: [
            "", "0", "3f2504e0-4f89-11d3-9a0c-0305e82c330", "3f2504e0-4f89-11d3-9a0c-0305e82c33011",
            "3f2504e04f89-11d3-9a0c-0305e82c33011", "3f2504e0-4f8911d3-9a0c-0305e82c3301-",
            "3f2504e0-4f89-11d3-9a0c_0305e82c3301", "3f2504e0 4f89 11d3 9a0c 0305e82c3301",
            "3f2504g0-4f89-11d3-9a0c-0305e82c3301", "3f2504e0-4f89-11d3-9a0c-0305e82c330z",
            " 3f2504e0-4f89-11d3-9a0c-0305e82c330", "3f2504e0-4f89-11d3-9a0c-0305e82c330 ",
            "+3f2504e-4f89-11d3-9a0c-0305e82c3301", "0x2504e0-4f89-11d3-9a0c-0305e82c3301",
            "{f2504e0-4f89-11d3-9a0c-0305e82c330}", "3f2504e0-4f89-11d3-9a0c-0305e82c33é",
            "3f2504e0--f89-11d3-9a0c-0305e82c3301", "3f2504e0-4f89-11d3-9a0c-0305e82c330\u{0}",
        ])
    func refused(_ text: String) {
        #expect(CompanyID(text) == nil, "\(text)")
    }

    private static func mixedCase(_ text: String) -> String {
        String(text.enumerated().map { $0.offset.isMultiple(of: 2) ? Character($0.element.lowercased()) : $0.element })
    }
}
