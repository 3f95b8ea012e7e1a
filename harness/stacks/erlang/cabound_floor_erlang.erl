%% cabound_floor_erlang — bench_floor_erlang, the floor ci/bench holds
%% cabound's Erlang cases against (as fuzz/bench_floor.c is for the C
%% stacks): OTP ssl's own handshake cost with both sides in one BEAM node, no
%% harness, relay or second OS process. OTP's ssl runs only over a transport
%% module (gen_tcp by default; an in-memory one would be code of ours inside
%% the stack), so the two sides meet over loopback TCP inside the one node,
%% which the cases pay too (the shim's connection to the harness).
%%
%% Each iteration is a whole TLS 1.2 handshake with a client certificate,
%% each side verifying the other's chain, configured as the shim
%% (cabound_otp_tls.erl) configures a case in the mode cabound's `auto` picks
%% for erlang (trust-store, native): the server's cacertfile is the
%% iteration's PEM bundle (OTP sends the subjects of its verification store,
%% ssl_handshake:certificate_authorities/2, and verifies the client against
%% it), the client holds its one credential in certs_keys and OTP chooses it,
%% and verifies the server against server-ca.pem; TLS 1.2 sessions are not
%% reused; the shim's options otherwise. Each handshake gets a bundle file
%% of its own, copied before the clock starts: OTP caches a cacertfile by its
%% path (ssl_pem_cache, ssl_pkix_db:add_trusted_certs/3), and every case of
%% a run has a list file of its own, so no handshake may find its list
%% cached. The node is warmed first (ITERATIONS untimed handshakes, at most
%% 30 s of them), then ITERATIONS timed ones; it prints the mean microseconds
%% per handshake and how many ended with the server holding the client's
%% certificate: "US OK/ITERATIONS", as bench_floor.c does. A handshake that
%% fails ends the floor with exit 1 and OTP's reason.
%%
%% usage: bench_floor_erlang LIST_BYTES ITERATIONS PEM_LIST
%% PEM_LIST names one PEM bundle per line (ci/bench gives the bundles of its
%% bench-floor cases); the credentials come from the PKI directory that holds
%% them (server-v1/, the first clients-*), as for bench_floor_rustls.
-module(cabound_floor_erlang).
-export([main/1]).

main(Args) ->
    _ = logger:remove_handler(default),
    ok = logger:add_handler(default, logger_std_h, #{config => #{type => standard_error}}),
    erlang:halt(run(Args)).

%% die ends the floor with a message, removing the bundle copies first.
die(Code, Fmt, Args) ->
    io:format(standard_error, "bench_floor_erlang: " ++ Fmt ++ "~n", Args),
    _ = case get(tmp) of
            undefined -> ok;
            Tmp -> file:del_dir_r(Tmp)
        end,
    erlang:halt(Code).

run([BytesS, ItersS, PemList]) ->
    Iters = case {string:to_integer(BytesS), string:to_integer(ItersS)} of
                {{B, ""}, {N, ""}} when B >= 0, N > 0, N =< 10000 -> N;
                _ -> die(2, "LIST_BYTES and ITERATIONS (1..10000) must be numbers", [])
            end,
    Bundles = case file:read_file(PemList) of
                  {ok, Text} -> [binary_to_list(L) || L <- binary:split(Text, <<"\n">>, [global, trim_all])];
                  {error, Why} -> die(2, "~ts: ~p", [PemList, Why])
              end,
    Bundles =:= [] andalso die(2, "~ts names no PEM bundle", [PemList]),
    Pki = filename:dirname(filename:absname(hd(Bundles))),
    Clients = case lists:sort(filelib:wildcard(filename:join(Pki, "clients-*"))) of
                  [C | _] -> C;
                  [] -> die(2, "no clients-* directory in ~ts", [Pki])
              end,
    {ok, _} = application:ensure_all_started(ssl),
    Mods = lists:append([M || App <- [ssl, public_key, crypto, asn1],
                              {ok, M} <- [application:get_key(App, modules)]]),
    _ = code:ensure_modules_loaded(Mods),
    %% One copy of a bundle per handshake, warm-up and timed, in a directory
    %% of this process's own.
    Tmp = filename:join(os:getenv("TMPDIR", "/tmp"), "cabound-floor-erlang-" ++ os:getpid()),
    ok = file:make_dir(Tmp),
    put(tmp, Tmp),
    Contents = [case file:read_file(B) of
                    {ok, Pem} -> Pem;
                    {error, Why2} -> die(2, "~ts: ~p", [B, Why2])
                end || B <- Bundles],
    NB = length(Contents),
    Copy = fun(I) ->
                   P = filename:join(Tmp, integer_to_list(I) ++ ".pem"),
                   ok = file:write_file(P, lists:nth(I rem NB + 1, Contents)),
                   P
           end,
    Warm = [Copy(I) || I <- lists:seq(0, Iters - 1)],
    Timed = [Copy(I) || I <- lists:seq(Iters, 2 * Iters - 1)],
    Base = [{versions, ['tlsv1.2']}, {reuse_sessions, false}, {active, false}, {keep_secrets, true}],
    Server = Base ++ [{certfile, filename:join(Pki, "server-v1/server.pem")},
                      {keyfile, filename:join(Pki, "server-v1/server.key")},
                      {verify, verify_peer}, {fail_if_no_peer_cert, true}],
    Client = Base ++ [{certs_keys, [#{certfile => filename:join(Clients, "client-0.pem"),
                                      keyfile => filename:join(Clients, "client-0.key")}]},
                      {cacertfile, filename:join(Pki, "server-v1/server-ca.pem")},
                      {verify, verify_peer}, {server_name_indication, disable}],
    {ok, L} = gen_tcp:listen(0, [binary, {active, false}, {ip, loopback}, {reuseaddr, true}, {nodelay, true}]),
    {ok, Port} = inet:port(L),
    Deadline = erlang:monotonic_time(millisecond) + 30000,
    _ = lists:foldl(fun(P, go) ->
                            _ = pair(L, Port, Server ++ [{cacertfile, P}], Client),
                            case erlang:monotonic_time(millisecond) < Deadline of
                                true -> go;
                                false -> stop
                            end;
                       (_, stop) -> stop
                    end, go, Warm),
    T0 = erlang:monotonic_time(microsecond),
    Ok = lists:sum([pair(L, Port, Server ++ [{cacertfile, P}], Client) || P <- Timed]),
    Us = (erlang:monotonic_time(microsecond) - T0) / Iters,
    _ = file:del_dir_r(Tmp),
    io:format("~.1f ~b/~b~n", [Us, Ok, Iters]),
    case Ok of
        0 -> 1;
        _ -> 0
    end;
run(_) ->
    die(2, "usage: bench_floor_erlang LIST_BYTES ITERATIONS PEM_LIST", []).

%% pair runs one handshake: the server side in a process of its own
%% (ssl:handshake blocks), the client in this one. Returns 1 when the server
%% holds the client's certificate.
pair(L, Port, ServerOpts, ClientOpts) ->
    Self = self(),
    Srv = spawn_link(fun() ->
                             R = case gen_tcp:accept(L, 10000) of
                                     {ok, T} ->
                                         case ssl:handshake(T, ServerOpts, 10000) of
                                             {ok, S} ->
                                                 Peer = ssl:peercert(S),
                                                 ssl:close(S),
                                                 Peer;
                                             Err ->
                                                 Err
                                         end;
                                     Err ->
                                         {accept, Err}
                                 end,
                             Self ! {self(), R}
                     end),
    C = case gen_tcp:connect({127, 0, 0, 1}, Port, [binary, {active, false}, {nodelay, true}], 10000) of
            {ok, T} -> ssl:connect(T, ClientOpts, 10000);
            Err -> {connect, Err}
        end,
    receive
        {Srv, SR} ->
            case {C, SR} of
                {{ok, CS}, {ok, _Der}} ->
                    ssl:close(CS),
                    1;
                _ ->
                    die(1, "handshake failed: client ~0p, server ~0p", [C, SR])
            end
    after 20000 ->
            die(1, "handshake did not finish in 20 s (client ~0p)", [C])
    end.
