import ArgumentParser
import Foundation

@main
struct KingletCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kinglet",
        abstract: "Small language models on the device: run, chat, serve, distill.",
        version: "0.1.0",
        subcommands: [RunCommand.self, ChatCommand.self, ServeCommand.self, TemplateCommand.self, PullCommand.self, ListCommand.self,
                      TokenizeCommand.self, InfoCommand.self, BenchCommand.self, TrainBenchCommand.self, TrainCommand.self, ExportCommand.self, DistillCommand.self,
                      PerplexityCommand.self, QuantizeCommand.self, CompareCommand.self, RouteCommand.self, PruneCommand.self],
        defaultSubcommand: nil)

    static func main() async {
        HeapPolicy.apply()
        await main(nil)
    }
}
