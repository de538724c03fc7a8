// A peer client for Nova's benchmark harness: ccxt's streaming watchTrades (what was ccxt.pro) reading trades from
// the exchange simulator, counting the trades it delivers to its caller. Run by dev.nova.bench.CcxtPeer.
//
//   node ccxt-trades.mjs --exchange deribit|binance --url <ws url> --instruments A,B,C
//                        [--trades-limit 1000] [--binance-type spot|linear] [--deribit-cache-fix true|false]
//
// Instruments are exchange ids (Deribit BTC-PERPETUAL, Binance BTCUSDT). Deribit's raw trade channels
// (trades.<id>.raw, what Nova subscribes to) make ccxt authenticate first: the key pair comes from the environment
// (CCXT_PEER_API_KEY, CCXT_PEER_SECRET).
//
// Control protocol, one line each way:
//   stdout "ready"        once the exchange has confirmed every subscription (the subscribe responses, seen before
//                         ccxt's own handler gets them; watchTrades itself resolves only on the first trade)
//   stdin  "count"     -> stdout "count <n>": the trades watchTrades has delivered to this script so far
//   stdin  "quit" or end of input: exit 0
// Errors go to stderr and end the process with a non-zero status.
//
// Nothing goes over HTTP: the markets are preset with setMarkets (loadMarkets then makes no request) and every REST
// path of ccxt is made to throw, so an attempted request is an error, not a silent call to the real exchange.

import readline from 'node:readline';
import ccxt from 'ccxt';

function fail(message, error) {
    process.stderr.write(
        'ccxt-trades: ' + message + (error ? ': ' + (error.stack || error.message || String(error)) : '') + '\n');
    process.exit(1);
}

function parseArguments(argv) {
    const options = {tradesLimit: 1000, binanceType: 'spot', deribitCacheFix: true};
    for (let i = 0; i < argv.length; i++) {
        const name = argv[i];
        const value = argv[i + 1];
        if (value === undefined) {
            fail('missing value for ' + name);
        }
        i++;
        switch (name) {
            case '--exchange': options.exchange = value; break;
            case '--url': options.url = value; break;
            case '--instruments': options.instruments = value.split(',').filter((id) => id.length > 0); break;
            case '--trades-limit': options.tradesLimit = Number.parseInt(value, 10); break;
            case '--binance-type': options.binanceType = value; break;
            case '--deribit-cache-fix': options.deribitCacheFix = value !== 'false'; break;
            default: fail('unknown argument ' + name);
        }
    }
    if (!['deribit', 'binance'].includes(options.exchange)) {
        fail('--exchange must be deribit or binance');
    }
    if (!options.url || !/^wss?:\/\//.test(options.url)) {
        fail('--url must be a ws:// or wss:// address');
    }
    if (!options.instruments || options.instruments.length === 0) {
        fail('--instruments needs at least one exchange id');
    }
    if (!(options.tradesLimit > 0)) {
        fail('--trades-limit must be a positive integer');
    }
    if (!['spot', 'linear'].includes(options.binanceType)) {
        fail('--binance-type must be spot or linear');
    }
    return options;
}

const MONTHS = {JAN: '01', FEB: '02', MAR: '03', APR: '04', MAY: '05', JUN: '06',
    JUL: '07', AUG: '08', SEP: '09', OCT: '10', NOV: '11', DEC: '12'};

/** What every market needs besides its identity; precision and limits do not matter to parsing trades. */
function marketBase(id, info) {
    return {
        id, lowercaseId: id.toLowerCase(), active: true, margin: false, expiry: undefined, expiryDatetime: undefined,
        strike: undefined, optionType: undefined, contractSize: undefined, taker: undefined, maker: undefined,
        precision: {amount: undefined, price: undefined},
        limits: {amount: {}, price: {}, cost: {}, leverage: {}},
        info,
    };
}

/** A Deribit market as ccxt's own fetchMarkets names it: BTC-PERPETUAL is BTC/USD:BTC, BTC_USDC-PERPETUAL BTC/USDC:USDC. */
function deribitMarket(id) {
    const parts = id.split('-');
    const pair = parts[0].split('_');
    const base = pair[0];
    const quote = pair.length > 1 ? pair[1] : 'USD';
    const linear = pair.length > 1; // BTC_USDC-...: settled in the quote currency
    const settle = linear ? quote : base;
    const info = {instrument_name: id};
    if (parts.length === 1) {
        if (pair.length !== 2) {
            fail('cannot tell the market of Deribit instrument ' + id);
        }
        return {...marketBase(id, info), symbol: base + '/' + quote, base, quote, settle: undefined,
            baseId: base, quoteId: quote, settleId: undefined, type: 'spot', spot: true, swap: false,
            future: false, option: false, contract: false, linear: undefined, inverse: undefined};
    }
    const contract = {...marketBase(id, info), base, quote, settle, baseId: base, quoteId: quote, settleId: settle,
        spot: false, contract: true, linear, inverse: !linear, contractSize: linear ? 1 : 10};
    if (parts[1] === 'PERPETUAL' && parts.length === 2) {
        return {...contract, symbol: base + '/' + quote + ':' + settle, type: 'swap', swap: true, future: false,
            option: false};
    }
    const date = /^(\d{1,2})([A-Z]{3})(\d{2})$/.exec(parts[1]);
    if (date === null || MONTHS[date[2]] === undefined) {
        fail('cannot tell the market of Deribit instrument ' + id);
    }
    const yymmdd = date[3] + MONTHS[date[2]] + date[1].padStart(2, '0');
    const expiry = Date.UTC(2000 + Number(date[3]), Number(MONTHS[date[2]]) - 1, Number(date[1]), 8);
    const dated = {...contract, expiry, expiryDatetime: new Date(expiry).toISOString()};
    if (parts.length === 2) {
        return {...dated, symbol: base + '/' + quote + ':' + settle + '-' + yymmdd, type: 'future', swap: false,
            future: true, option: false};
    }
    if (parts.length === 4 && (parts[3] === 'C' || parts[3] === 'P')) {
        return {...dated, symbol: base + '/' + quote + ':' + settle + '-' + yymmdd + '-' + parts[2] + '-' + parts[3],
            type: 'option', swap: false, future: false, option: true, strike: Number(parts[2]),
            optionType: parts[3] === 'C' ? 'call' : 'put', contractSize: 1};
    }
    return fail('cannot tell the market of Deribit instrument ' + id);
}

const BINANCE_QUOTES = ['FDUSD', 'USDT', 'USDC', 'TUSD', 'BUSD', 'USDP', 'DAI', 'BTC', 'ETH', 'BNB', 'EUR', 'TRY',
    'BRL', 'JPY', 'GBP', 'USD'];

/** A Binance market: BTCUSDT is BTC/USDT on spot, BTC/USDT:USDT as a linear perpetual. */
function binanceMarket(id, type) {
    const upper = id.toUpperCase();
    const quote = BINANCE_QUOTES.find((q) => upper.endsWith(q) && upper.length > q.length);
    if (quote === undefined) {
        fail('cannot tell the quote currency of Binance symbol ' + id);
    }
    const base = upper.slice(0, upper.length - quote.length);
    const info = {symbol: upper};
    if (type === 'spot') {
        return {...marketBase(upper, info), symbol: base + '/' + quote, base, quote, settle: undefined,
            baseId: base, quoteId: quote, settleId: undefined, type: 'spot', spot: true, swap: false, future: false,
            option: false, contract: false, linear: undefined, inverse: undefined};
    }
    return {...marketBase(upper, info), symbol: base + '/' + quote + ':' + quote, base, quote, settle: quote,
        baseId: base, quoteId: quote, settleId: quote, type: 'swap', spot: false, swap: true, future: false,
        option: false, contract: true, linear: true, inverse: false, contractSize: 1};
}

const options = parseArguments(process.argv.slice(2));
const config = {
    enableRateLimit: true,
    options: {tradesLimit: options.tradesLimit, newUpdates: true},
};
let exchange;
let markets;
if (options.exchange === 'deribit') {
    exchange = new ccxt.pro.deribit({
        ...config,
        apiKey: process.env.CCXT_PEER_API_KEY,
        secret: process.env.CCXT_PEER_SECRET,
    });
    exchange.urls.api.ws = options.url;
    exchange.urls.test.ws = options.url;
    // trades.<id>.raw, the channel Nova subscribes to (ccxt's default is the aggregated 100ms one); watchTrades
    // reads its own options first, watchTradesForSymbols when called directly
    exchange.options.watchTrades = {...exchange.options.watchTrades, interval: 'raw'};
    exchange.options.watchTradesForSymbols = {...exchange.options.watchTradesForSymbols, interval: 'raw'};
    markets = options.instruments.map(deribitMarket);
    if (options.deribitCacheFix) {
        // ccxt's Deribit handleTrades (4.5.84) looks up the symbol's trade cache with safeDict, which answers
        // undefined for the cache (an ArrayCache is an Array): every message starts a new cache, and every trade
        // that arrives while the caller is not waiting in watchTrades is lost (1,156 of 200,000 delivered in a
        // blast). Binance's handler, and Deribit's before, look it up with safeValue; so does this, for this.trades
        // only. --deribit-cache-fix false measures ccxt as published.
        const safeDict = exchange.safeDict;
        exchange.safeDict = function (dictionaryOrList, key, defaultValue) {
            return dictionaryOrList === this.trades
                ? this.safeValue(dictionaryOrList, key, defaultValue)
                : safeDict.call(this, dictionaryOrList, key, defaultValue);
        };
    }
} else {
    exchange = new ccxt.pro.binance(config);
    // watchTrades connects to urls.api.ws[spot] (or [future] for linear contracts) plus "/<stream index>" (the
    // raw-stream endpoint /ws/<n> at Binance). The simulator serves combined streams at /stream only, and ccxt
    // unwraps their {"stream","data"} envelope, so the index is moved into a query parameter the simulator ignores.
    const base = options.url + (options.url.includes('?') ? '&' : '?') + 'ccxt-stream=';
    for (const key of ['spot', 'margin', 'future']) {
        exchange.urls.api.ws[key] = base;
    }
    markets = options.instruments.map((id) => binanceMarket(id, options.binanceType));
}

// No REST: ccxt's only way to HTTP is fetch() (fetchImplementation below it); both throw.
const noRest = (url) => {
    throw new Error('REST is disabled, ccxt tried ' + url);
};
exchange.fetch = async (url) => noRest(url);
exchange.fetchImplementation = async (url) => noRest(url);
exchange.setMarkets(markets);

// Subscription confirmations. ccxt passes every parsed message to exchange.handleMessage (bound when a connection is
// created); until all are confirmed a wrapper looks at the responses first, then the connections get ccxt's own
// handler back so that the measured path has nothing of ours in it.
const original = exchange.handleMessage;
const expectedChannels = new Set(markets.map((m) => 'trades.' + m.id + '.raw'));
let binanceConfirmations = 0;
let ready = false;
function confirmed(message) {
    if (message === null || typeof message !== 'object' || message.id === undefined) {
        return false;
    }
    if (options.exchange === 'deribit') {
        if (Array.isArray(message.result)) {
            message.result.forEach((channel) => expectedChannels.delete(channel));
        }
        return expectedChannels.size === 0;
    }
    if ('result' in message && message.result === null) {
        binanceConfirmations++; // one SUBSCRIBE per symbol: each watchTrades subscribes alone
    }
    return binanceConfirmations === markets.length;
}
exchange.handleMessage = function (client, message) {
    if (!ready && confirmed(message)) {
        ready = true;
        exchange.handleMessage = original;
        for (const each of Object.values(exchange.clients)) {
            each.onMessageCallback = original.bind(exchange);
        }
        process.stdout.write('ready\n');
    }
    return original.call(exchange, client, message);
};

let trades = 0;
let truncationWarned = false;
let closing = false;

async function watch(symbol) {
    for (;;) {
        let delivered;
        try {
            delivered = await exchange.watchTrades(symbol);
        } catch (e) {
            if (closing) {
                return; // exchange.close() rejects what is still waiting
            }
            fail('watchTrades(' + symbol + ') failed', e);
        }
        // newUpdates: only the trades since the previous call, at most tradesLimit (the cache's size)
        trades += delivered.length;
        if (delivered.length >= options.tradesLimit && !truncationWarned) {
            truncationWarned = true;
            process.stderr.write('ccxt-trades: one call delivered ' + delivered.length + ' trades of ' + symbol
                + ', the whole cache: trades beyond --trades-limit ' + options.tradesLimit + ' may be lost\n');
        }
    }
}

async function close(status) {
    if (closing) {
        return;
    }
    closing = true;
    const timer = setTimeout(() => process.exit(status), 2000);
    timer.unref();
    try {
        await exchange.close();
    } catch (e) {
        // closing anyway
    }
    process.exit(status);
}

const input = readline.createInterface({input: process.stdin, terminal: false});
input.on('line', (line) => {
    const command = line.trim();
    if (command === 'count') {
        process.stdout.write('count ' + trades + '\n');
    } else if (command === 'quit') {
        close(0);
    } else if (command.length > 0) {
        process.stderr.write('ccxt-trades: unknown command ' + command + '\n');
    }
});
input.on('close', () => close(0));

process.on('unhandledRejection', (e) => fail('unhandled rejection', e));

try {
    // ccxt's node ws client wants an http.Agent for plain ws:// addresses (it loads no module of its own for them)
    await exchange.loadHttpProxyAgent();
    if (options.exchange === 'deribit') {
        await exchange.authenticate(); // what watchTrades does first for raw channels, done once up front
    }
} catch (e) {
    fail('could not start', e);
}
for (const market of markets) {
    watch(market.symbol);
}
