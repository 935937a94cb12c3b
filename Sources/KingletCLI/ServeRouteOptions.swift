import ArgumentParser
import Foundation
import KingletServer

/// `kinglet serve --upstream URL --route POLICY|FILE`: local first, escalating unsure answers.
struct ServeRouteOptions: ParsableArguments {
    @Option(name: .customLong("upstream"),
            help: ArgumentHelp("An OpenAI-compatible server (http://host:port/v1) that answers what the local model is unsure of.", valueName: "url"))
    var upstream: String?
    @Option(name: .customLong("upstream-model"), help: ArgumentHelp("The model field sent upstream (default: the client's).", valueName: "name"))
    var upstreamModel: String?
    @Option(name: .customLong("upstream-key-env"), help: ArgumentHelp("Environment variable holding the upstream's API key.", valueName: "var"))
    var upstreamKeyEnv: String?
    @Option(name: .customLong("upstream-key-file"), help: ArgumentHelp("File holding the upstream's API key (one line).", valueName: "path"))
    var upstreamKeyFile: String?
    @Option(name: .customLong("upstream-timeout"), help: ArgumentHelp("Seconds an upstream answer may take; past it the local answer is returned.", valueName: "seconds"))
    var upstreamTimeout: Double = 60
    @Option(name: .customLong("route"),
            help: ArgumentHelp("When to escalate: SIGNAL:THRESHOLD[:early=K] (signals: mean-logprob, min-logprob, chow-quantile[@Q], mean-entropy), or the file `kinglet route calibrate` writes.",
                               valueName: "policy|file"))
    var route: String?

    func validate() throws {
        if upstream == nil {
            for (flag, set) in [("--upstream-model", upstreamModel != nil), ("--upstream-key-env", upstreamKeyEnv != nil),
                                ("--upstream-key-file", upstreamKeyFile != nil), ("--route", route != nil)] where set {
                throw ValidationError("\(flag) needs --upstream")
            }
            return
        }
        if route == nil { throw ValidationError("--upstream needs --route (e.g. --route min-logprob:-3.5, or a file from `kinglet route calibrate`)") }
        if upstreamKeyEnv != nil && upstreamKeyFile != nil { throw ValidationError("give --upstream-key-env or --upstream-key-file, not both") }
        if !(upstreamTimeout.isFinite && upstreamTimeout > 0 && upstreamTimeout <= 3600) {
            throw ValidationError("--upstream-timeout must be between 0 and 3600 seconds")
        }
    }

    /// Sets `options.routing` when --upstream is given.
    func apply(to options: inout ServerOptions, environment: [String: String] = ProcessInfo.processInfo.environment) throws(FlagError) {
        guard let upstream, let route else { return }
        guard let url = URL(string: upstream), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil else {
            throw FlagError("--upstream \(upstream) is not an http(s) URL. Give the base URL, e.g. http://host:8080/v1.")
        }
        let policy: RoutePolicy
        do { policy = try RoutePolicy(specOrFile: route) } catch { throw FlagError("--route: \(error.localizedDescription)") }
        var routing = RoutingOptions(upstream: url, upstreamModel: upstreamModel, policy: policy)
        routing.timeout = upstreamTimeout
        do {
            if let file = upstreamKeyFile { routing.key = UpstreamKey(try APIKey.read(file: file)) }
            if let variable = upstreamKeyEnv {
                guard let value = environment[variable] else { throw FlagError("--upstream-key-env: the variable \(variable) is not set") }
                routing.key = UpstreamKey(try APIKey.checked(value.trimmingCharacters(in: .whitespacesAndNewlines), source: "$\(variable)"))
            }
        } catch let e as FlagError {
            throw e
        } catch {
            throw FlagError("\(upstreamKeyFile != nil ? "--upstream-key-file" : "--upstream-key-env"): \(error.localizedDescription)")
        }
        options.routing = routing
    }
}
