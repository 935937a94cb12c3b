import KingletGGUF
import Testing

/// One wording for every Kinglet file format's problems: the path, the format's name, what is
/// wrong, and the format's remedy where a new file is what helps.
@Suite struct FileErrorTests {
    let format = FileError.Format(name: "widget file", remedy: "Make it again.")

    @Test func eachProblemNamesThePathAndWhatToDo() {
        let cases: [(FileError.Problem, String, Bool)] = [
            (.cannotRead("no such file"), "cannot read /w/a.wdg: no such file. Check the path and its permissions.", false),
            (.cannotWrite("disk full"), "cannot write /w/a.wdg: disk full. Check that its folder exists, is writable and the disk is not full.", false),
            (.notThisFormat, "/w/a.wdg is not a widget file. Make it again.", true),
            (.unsupportedVersion(found: 9, reads: 2), "/w/a.wdg is a widget file of version 9; this build reads version 2. Make it again.", true),
            (.sizeMismatch(expected: 74, actual: 71), "/w/a.wdg holds 71 bytes but its header describes 74: the widget file is truncated or damaged. Make it again.", true),
            (.damaged("a vocabulary of 0"), "the widget file /w/a.wdg is damaged: a vocabulary of 0. Make it again.", true),
        ]
        for (problem, text, unusable) in cases {
            let e = FileError("/w/a.wdg", format, problem)
            #expect(e.errorDescription == text)
            #expect(e.fileIsUnusable == unusable, "\(problem)")
        }
    }

    @Test func equalOnlyWhenPathFormatAndProblemAre() {
        let e = FileError("/w/a.wdg", format, .damaged("x"))
        #expect(e == FileError("/w/a.wdg", format, .damaged("x")))
        #expect(e != FileError("/w/b.wdg", format, .damaged("x")))
        #expect(e != FileError("/w/a.wdg", FileError.Format(name: "gadget file", remedy: "Make it again."), .damaged("x")))
        #expect(e != FileError("/w/a.wdg", format, .damaged("y")))
    }
}
