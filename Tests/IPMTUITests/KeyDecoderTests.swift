import Testing

@testable import IPMTUI

@Suite struct KeyDecoderTests {
    private func keys(_ text: String) -> [Key] {
        var decoder = KeyDecoder()
        return decoder.feed(Array(text.utf8))
    }

    @Test func arrowsInBothModes() {
        #expect(keys("\u{1B}[A\u{1B}[B\u{1B}[C\u{1B}[D") == [.up, .down, .right, .left])
        #expect(keys("\u{1B}OA\u{1B}OB\u{1B}OC\u{1B}OD") == [.up, .down, .right, .left])
        // Ctrl-Up and friends carry modifiers; the key is still Up.
        #expect(keys("\u{1B}[1;5A") == [.up])
    }

    @Test func homeEndAndPagesAsEachTerminalSpellsThem() {
        #expect(keys("\u{1B}[H\u{1B}[F\u{1B}OH\u{1B}OF") == [.home, .end, .home, .end])
        #expect(keys("\u{1B}[1~\u{1B}[4~\u{1B}[7~\u{1B}[8~") == [.home, .end, .home, .end])
        #expect(keys("\u{1B}[5~\u{1B}[6~\u{1B}[3~\u{1B}[2~") == [.pageUp, .pageDown, .delete, .insert])
        #expect(keys("\u{1B}OP\u{1B}[15~\u{1B}[24~") == [.function(1), .function(5), .function(12)])
    }

    @Test func controlKeys() {
        #expect(keys("\r\n\t\u{7F}\u{08}") == [.enter, .enter, .tab, .backspace, .backspace])
        #expect(keys("\u{03}\u{01}\u{1A}") == [.control("c"), .control("a"), .control("z")])
        #expect(keys("\u{1B}[Z") == [.backTab])
    }

    @Test func textIncludingMultibyteCharacters() {
        #expect(keys("q/é€😀") == [.character("q"), .character("/"), .character("é"), .character("€"), .character("😀")])
    }

    @Test func bytesSplitAnywhereStillMakeTheSameKeys() {
        let bytes = Array("a\u{1B}[6~é\u{1B}[1;5B€".utf8)
        for split in 1..<bytes.count {
            var decoder = KeyDecoder()
            let keys = decoder.feed(bytes[..<split]) + decoder.feed(bytes[split...])
            #expect(keys == [.character("a"), .pageDown, .character("é"), .down, .character("€")], "split at \(split)")
        }
    }

    @Test func aLoneEscapeWaitsForTheTerminalToGoQuiet() {
        var decoder = KeyDecoder()
        let r1 = decoder.feed([0x1B])
        #expect(r1 == [])
        #expect(decoder.isWaiting)
        let r2 = decoder.flush()
        #expect(r2 == [.escape])
        #expect(!decoder.isWaiting)
        // Esc Esc is one Esc now, and one waiting.
        let r3 = decoder.feed([0x1B, 0x1B])
        #expect(r3 == [.escape])
        let r4 = decoder.flush()
        #expect(r4 == [.escape])
        // Alt-x.
        let r5 = decoder.feed(Array("\u{1B}x".utf8))
        #expect(r5 == [.alt("x")])
    }

    @Test func bracketedPasteIsTextNotKeys() {
        #expect(
            keys("\u{1B}[200~q\u{1B}[A\r\nhttp://x/?code=1&state=2\u{1B}[201~j") == [.paste("q\u{1B}[A\nhttp://x/?code=1&state=2"), .character("j")])
        // Split across reads, even inside the end marker.
        let bytes = Array("\u{1B}[200~https://ups/cb?code=abc\u{1B}[201~".utf8)
        for split in 1..<bytes.count {
            var decoder = KeyDecoder()
            let keys = decoder.feed(bytes[..<split]) + decoder.feed(bytes[split...])
            #expect(keys == [.paste("https://ups/cb?code=abc")], "split at \(split)")
        }
    }

    @Test func invalidBytesAndUnknownSequencesDoNotStopTheDecoder() {
        #expect(keys("\u{FF}a") == [.unknown, .character("a")] || keys("\u{FF}a").last == .character("a"))
        var decoder = KeyDecoder()
        let r6 = decoder.feed([0xFF, 0x61])
        #expect(r6 == [.unknown, .character("a")])
        let r7 = decoder.feed(Array("\u{1B}[99~b".utf8))
        #expect(r7 == [.unknown, .character("b")])
    }
}
