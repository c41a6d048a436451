import LogshipRuntime
import Testing

struct LineDiffTests {
    @Test func equalTextsHaveNoHunks() {
        #expect(LineDiff.render(expected: ["a", "b"], actual: ["a", "b"]).isEmpty)
        #expect(LineDiff.render(expected: [], actual: []).isEmpty)
    }

    @Test func aChangedLineIsShownWithItsContext() {
        let expected = ["1", "2", "3", "4", "5", "6", "7"]
        var actual = expected
        actual[3] = "four"
        #expect(
            LineDiff.render(expected: expected, actual: actual) == [
                "@@ -2,5 +2,5 @@", "  2", "  3", "- 4", "+ four", "  5", "  6",
            ]
        )
    }

    @Test func insertedAndRemovedLinesAreMatchedAroundTheCommonOnes() {
        let diff = LineDiff.lines(expected: ["a", "b", "c", "d"], actual: ["a", "c", "x", "d"])
        #expect(diff == [.same("a"), .removed("b"), .same("c"), .added("x"), .same("d")])
    }

    @Test func distantChangesMakeTwoHunks() {
        let expected = (1...20).map(String.init)
        var actual = expected
        actual[1] = "two"
        actual[17] = "eighteen"
        let hunks = LineDiff.render(expected: expected, actual: actual, context: 1).filter { $0.hasPrefix("@@") }
        #expect(hunks == ["@@ -1,3 +1,3 @@", "@@ -17,3 +17,3 @@"])
    }

    @Test func linesAddedToAnEmptyTextAreNumberedFromZero() {
        #expect(LineDiff.render(expected: [], actual: ["new"]) == ["@@ -0,0 +1,1 @@", "+ new"])
    }
}
