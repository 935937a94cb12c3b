import Foundation
import Testing
@testable import KingletChatTemplate

/// Every case in Tests/Data/templates renders exactly as Python's jinja2 did (or fails where it failed).
@Suite struct Jinja2ReferenceTests {
    @Test func libraryIsComplete() {
        let cases = CaseLibrary.all()
        #expect(cases.count >= 60)
        for testCase in cases {
            #expect(testCase.expected != nil || testCase.error != nil,
                    "\(testCase.name): run scripts/render-templates-jinja2.py to make its reference")
        }
    }

    @Test(arguments: CaseLibrary.all())
    func matchesJinja2(_ testCase: TemplateCase) throws {
        if let expected = testCase.expected {
            let output = try CaseLibrary.render(testCase)
            #expect(output == expected, "\(testCase.name)\n--- kinglet\n\(output)\n--- jinja2\n\(expected)")
        } else if let error = testCase.error {
            do {
                let output = try CaseLibrary.render(testCase)
                Issue.record("\(testCase.name): jinja2 raised \(error) but Kinglet rendered:\n\(output)")
            } catch let failure as TemplateError {
                // raise_exception's message must come through unchanged.
                if error.hasPrefix("TemplateError: ") {
                    let message = String(error.dropFirst("TemplateError: ".count).dropLast())
                    guard case .raised(let got, _) = failure else {
                        Issue.record("\(testCase.name): expected raise_exception, got \(failure)")
                        return
                    }
                    #expect(got == message)
                }
                #expect(failure.location != nil)
            }
        }
    }
}
