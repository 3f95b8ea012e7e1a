%% cabound_shim_erlang — the Erlang/OTP ssl shim's entry point: command
%% line, the stream request loop, one-shot runs and the observation record
%% (harness/stacks/README.md). The stack half is cabound_otp_tls; this file
%% mirrors harness/stacks/common/shim.c for a runtime that cannot take a
%% file descriptor over SCM_RIGHTS: it speaks the contract's stream
%% transport (requests on stdin, replies on stdout, one JSON object a line;
%% each request names a TCP address the shim connects to).
-module(cabound_shim_erlang).
-export([main/1]).

-define(CONTRACT, 2).
-define(EXIT_UNSUPPORTED, 89).
-define(STACK, <<"erlang">>).
-define(TLS, [<<"1.2">>, <<"1.3">>]).

main(Args) ->
    %% stdout carries replies only: OTP's logger (ssl logs every alert at
    %% level notice) writes to stderr instead.
    _ = logger:remove_handler(default),
    ok = logger:add_handler(default, logger_std_h, #{config => #{type => standard_error}}),
    erlang:halt(run_args(Args)).

run_args(Args) ->
    case parse_args(Args, #{}) of
        {error, Msg} ->
            io:format(standard_error, "~ts~n", [Msg]),
            usage(),
            2;
        {ok, #{describe := true}} ->
            describe();
        {ok, Opts} ->
            case application:ensure_all_started(ssl) of
                {ok, _} ->
                    preload(),
                    dispatch(Opts);
                {error, Why} ->
                    io:format(standard_error, "shim: cannot start ssl: ~0p~n", [Why]),
                    3
            end
    end.

%% preload loads every module of ssl, public_key and crypto before the first
%% request: the emulator loads code on first use, and the first case's
%% handshake_us would otherwise hold some 0.4 s of module loading.
preload() ->
    Mods = lists:append([M || App <- [ssl, public_key, crypto, asn1],
                              {ok, M} <- [application:get_key(App, modules)]]),
    _ = code:ensure_modules_loaded(Mods),
    ok.

parse_args([], Acc) -> {ok, Acc};
parse_args(["--serve" | R], Acc) -> parse_args(R, Acc#{serve => true});
parse_args(["--describe" | R], Acc) -> parse_args(R, Acc#{describe => true});
parse_args(["--request", F | R], Acc) -> parse_args(R, Acc#{request => F});
parse_args(["--connect", A | R], Acc) -> parse_args(R, Acc#{connect => A});
parse_args(["--listen", A | R], Acc) -> parse_args(R, Acc#{listen => A});
parse_args(["--fd", _ | _], _) ->
    {error, "--fd: BEAM cannot use an inherited file descriptor as a gen_tcp socket; use --connect or --listen"};
parse_args([A | _], _) -> {error, "Unrecognized flag: " ++ A}.

usage() ->
    io:format(standard_error,
              "usage: cabound-shim-erlang --serve      (stream request loop on stdin/stdout, see harness/stacks/README.md)~n"
              "       cabound-shim-erlang --describe~n"
              "       cabound-shim-erlang --request FILE (--connect HOST:PORT | --listen HOST:PORT)~n", []).

dispatch(#{serve := true}) ->
    serve();
dispatch(#{request := File} = Opts) ->
    case {maps:get(connect, Opts, undefined), maps:get(listen, Opts, undefined)} of
        {undefined, undefined} -> usage(), 2;
        {Addr, undefined} -> one_shot(File, connect, Addr);
        {undefined, Addr} -> one_shot(File, listen, Addr);
        _ -> usage(), 2
    end;
dispatch(_) ->
    usage(),
    2.

%% --describe
describe() ->
    ok = application:load(ssl),
    D = #{<<"stack">> => ?STACK, <<"version">> => version(), <<"library">> => library(),
          <<"tls">> => ?TLS, <<"calist_source">> => cabound_otp_tls:sources(),
          <<"select">> => cabound_otp_tls:selects(), <<"contract">> => ?CONTRACT,
          <<"transport">> => <<"stream">>, <<"runtime">> => runtime()},
    write_line(D),
    0.

%% version: the ssl application's own version (its .app file).
version() ->
    _ = application:load(ssl),
    {ok, V} = application:get_key(ssl, vsn),
    list_to_binary(V).

library() ->
    list_to_binary(code:lib_dir(ssl)).

%% runtime: the OTP release (its OTP_VERSION file, e.g. 25.2.3) and the
%% emulator's version.
runtime() ->
    Rel = erlang:system_info(otp_release),
    File = filename:join([code:root_dir(), "releases", Rel, "OTP_VERSION"]),
    Otp = case file:read_file(File) of
              {ok, B} -> string:trim(B);
              _ -> list_to_binary(Rel)
          end,
    iolist_to_binary(["OTP ", Otp, ", erts ", erlang:system_info(version)]).

%% --serve: one request a line on stdin, one reply a line on stdout; EOF
%% ends the shim with exit 0.
serve() ->
    ok = io:setopts(standard_io, [binary, {encoding, latin1}]),
    serve_loop().

serve_loop() ->
    case io:get_line(standard_io, "") of
        eof -> 0;
        {error, _} -> 0;
        Line ->
            write_line(handle_line(Line)),
            serve_loop()
    end.

handle_line(Line) ->
    case decode(Line) of
        {error, Msg} ->
            bad_request(<<>>, Msg);
        {ok, Req} ->
            CaseId = case_id(Req),
            %% The connection comes first, before anything is judged, so
            %% that the harness's accept never waits on a reply.
            case cabound_request:connect_target(Req) of
                {error, Msg} ->
                    bad_request(CaseId, Msg);
                {ok, Host, Port} ->
                    case gen_tcp:connect(Host, Port, [binary, {active, false}, {nodelay, true}], 5000) of
                        {error, Why} ->
                            bad_request(CaseId, io_lib:format("connect ~ts:~b: ~ts",
                                                              [Host, Port, inet:format_error(Why)]));
                        {ok, Tcp} ->
                            case cabound_request:parse(Req) of
                                {error, Msg} ->
                                    gen_tcp:close(Tcp),
                                    bad_request(CaseId, Msg);
                                {ok, Case} ->
                                    observe(Case, Tcp)
                            end
                    end
            end
    end.

decode(Bin) ->
    try jiffy:decode(Bin, [return_maps]) of
        Req -> {ok, Req}
    catch
        throw:{error, Why} -> {error, io_lib:format("request is not JSON: ~0p", [Why])};
        error:Why -> {error, io_lib:format("request is not JSON: ~0p", [Why])}
    end.

case_id(#{<<"case">> := C}) when is_binary(C) -> C;
case_id(_) -> <<>>.

bad_request(CaseId, Msg) ->
    #{<<"contract">> => ?CONTRACT, <<"case">> => CaseId, <<"status">> => <<"bad-request">>,
      <<"reason">> => unicode:characters_to_binary(Msg)}.

%% One shot: the request from a file over one TCP connection; the
%% observation on stdout.
one_shot(File, How, Addr) ->
    Req = case file:read_file(File) of
              {ok, Bin} -> decode(Bin);
              {error, Why} -> {error, io_lib:format("~ts: ~ts", [File, file:format_error(Why)])}
          end,
    Case = case Req of
               {ok, R} -> cabound_request:parse(R);
               E -> E
           end,
    case Case of
        {error, Msg} ->
            io:format(standard_error, "~ts: ~ts~n", [File, Msg]),
            2;
        {ok, C} ->
            case tcp(How, Addr) of
                {error, Msg} ->
                    io:format(standard_error, "shim: ~ts~n", [Msg]),
                    2;
                {ok, Tcp} ->
                    Obs = observe(C, Tcp),
                    write_line(Obs),
                    case maps:get(<<"status">>, Obs) of
                        <<"unsupported">> -> ?EXIT_UNSUPPORTED;
                        _ -> 0
                    end
            end
    end.

tcp(How, Addr) ->
    case cabound_request:connect_target(#{<<"connect">> => list_to_binary(Addr)}) of
        {error, _} = E -> E;
        {ok, Host, Port} when How =:= connect ->
            case gen_tcp:connect(Host, Port, [binary, {active, false}, {nodelay, true}]) of
                {ok, S} -> {ok, S};
                {error, Why} -> {error, io_lib:format("connect: ~ts", [inet:format_error(Why)])}
            end;
        {ok, Host, Port} ->
            {ok, Ip} = inet:getaddr(Host, inet),
            case gen_tcp:listen(Port, [binary, {active, false}, {reuseaddr, true}, {ip, Ip}, {backlog, 1}]) of
                {ok, L} ->
                    R = gen_tcp:accept(L),
                    gen_tcp:close(L),
                    case R of
                        {ok, S} -> {ok, S};
                        {error, Why} -> {error, io_lib:format("accept: ~ts", [inet:format_error(Why)])}
                    end;
                {error, Why} ->
                    {error, io_lib:format("listen: ~ts", [inet:format_error(Why)])}
            end
    end.

%% observe runs one case (or says why it cannot) and builds the
%% observation, key for key as observe() in common/shim.c.
observe(#{role := Role, tls := Tls, source := Source, select := Select} = Case, Tcp) ->
    Mode = case Role of server -> Source; client -> Select end,
    Modes = case Role of server -> cabound_otp_tls:sources(); client -> cabound_otp_tls:selects() end,
    Obs = case {lists:member(Tls, ?TLS), lists:member(Mode, Modes)} of
              {false, _} ->
                  gen_tcp:close(Tcp),
                  #{unsupported => iolist_to_binary(["erlang does not support TLS ", Tls])};
              {_, false} ->
                  gen_tcp:close(Tcp),
                  What = case Role of server -> "calist_source "; client -> "select " end,
                  #{unsupported => iolist_to_binary(["erlang does not support ", What, Mode])};
              _ ->
                  cabound_otp_tls:run(Case, Tcp)
          end,
    Head = #{<<"contract">> => maps:get(contract, Case), <<"case">> => maps:get(case_id, Case),
             <<"stack">> => ?STACK, <<"version">> => version(), <<"library">> => library(),
             <<"role">> => atom_to_binary(Role), <<"tls">> => Tls},
    case Obs of
        #{unsupported := Reason} ->
            Head#{<<"status">> => <<"unsupported">>, <<"reason">> => Reason};
        _ ->
            Observed = Head#{<<"status">> => <<"observed">>,
                             <<"handshake">> => case maps:get(handshake_ok, Obs) of
                                                    true -> <<"ok">>;
                                                    false -> <<"failed">>
                                                end,
                             <<"error">> => case maps:get(error, Obs) of
                                                undefined -> null;
                                                {Code, Text} -> #{<<"code">> => Code, <<"text">> => Text}
                                            end,
                             <<"alerts_exposed">> => true,
                             <<"alert_sent">> => null_if_undefined(maps:get(alert_sent, Obs)),
                             <<"alert_received">> => null_if_undefined(maps:get(alert_received, Obs)),
                             <<"handshake_us">> => maps:get(handshake_us, Obs)},
            case Role of
                server ->
                    Observed#{<<"calist_source">> => Source,
                              <<"peer_cert">> => case maps:get(peer_cert, Obs, undefined) of
                                                     undefined -> null;
                                                     Der -> string:lowercase(binary:encode_hex(Der))
                                                 end};
                client ->
                    %% OTP hands the received list to no API and tells the
                    %% application nothing of the certificate it chose.
                    Observed#{<<"select">> => Select,
                              <<"received">> => #{<<"exposed">> => false},
                              <<"sent_cert">> => null}
            end
    end.

null_if_undefined(undefined) -> null;
null_if_undefined(V) -> V.

write_line(Map) ->
    io:put_chars(standard_io, [jiffy:encode(Map), $\n]).
