/**
 * Fake-but-plausible names, towns and countries for the synthetic OFN instances. The personal
 * values (names, emails on reserved example.* domains, phone numbers, IPs from the documentation
 * ranges) exist so the bot's privacy tests have something realistic to leak.
 */

export type NameSetKey = 'es' | 'fr' | 'en' | 'de' | 'it' | 'pt' | 'nl' | 'fi' | 'el' | 'hu' | 'no';

export interface CountrySpec {
  iso: string;
  iso3: string;
  isoName: string;
  name: string;
  numcode: number;
  callingCode: string;
  zipDigits: number;
  names: NameSetKey;
  locale: string;
  /** Town names with their region (state/province), used for addresses and regional groups. */
  towns: ReadonlyArray<readonly [town: string, region: string]>;
  /** Sales tax added on top of prices (North America) rather than included (VAT/GST). */
  taxAdded: boolean;
  /** Typical food tax rates (fraction). */
  taxRates: readonly number[];
  /** Rough centre for fake coordinates. */
  lat: number;
  lng: number;
}

export const COUNTRIES: readonly CountrySpec[] = [
  { iso: 'ES', iso3: 'ESP', isoName: 'SPAIN', name: 'Spain', numcode: 724, callingCode: '34', zipDigits: 5, names: 'es', locale: 'es', towns: [['Barcelona', 'Catalunya'], ['Girona', 'Catalunya'], ['Vic', 'Catalunya'], ['Manresa', 'Catalunya'], ['Lleida', 'Catalunya'], ['Tarragona', 'Catalunya'], ['Reus', 'Catalunya'], ['Valencia', 'Comunitat Valenciana'], ['Castelló', 'Comunitat Valenciana'], ['Pamplona', 'Navarra'], ['Bilbao', 'Euskadi'], ['Vitoria-Gasteiz', 'Euskadi'], ['Zaragoza', 'Aragón'], ['Huesca', 'Aragón'], ['Granada', 'Andalucía'], ['Sevilla', 'Andalucía'], ['Madrid', 'Madrid'], ['Segovia', 'Castilla y León'], ['Oviedo', 'Asturias'], ['Lugo', 'Galicia']], taxAdded: false, taxRates: [0.04, 0.1, 0.21], lat: 40.4, lng: -3.7 },
  { iso: 'FR', iso3: 'FRA', isoName: 'FRANCE', name: 'France', numcode: 250, callingCode: '33', zipDigits: 5, names: 'fr', locale: 'fr', towns: [['Lyon', 'Auvergne-Rhône-Alpes'], ['Grenoble', 'Auvergne-Rhône-Alpes'], ['Annecy', 'Auvergne-Rhône-Alpes'], ['Nantes', 'Pays de la Loire'], ['Rennes', 'Bretagne'], ['Bordeaux', 'Nouvelle-Aquitaine'], ['Toulouse', 'Occitanie'], ['Montpellier', 'Occitanie'], ['Lille', 'Hauts-de-France'], ['Strasbourg', 'Grand Est'], ['Dijon', 'Bourgogne-Franche-Comté'], ['Tours', 'Centre-Val de Loire'], ['Angers', 'Pays de la Loire'], ['Clermont-Ferrand', 'Auvergne-Rhône-Alpes'], ['Besançon', 'Bourgogne-Franche-Comté']], taxAdded: false, taxRates: [0.055, 0.1, 0.2], lat: 46.6, lng: 2.4 },
  { iso: 'AU', iso3: 'AUS', isoName: 'AUSTRALIA', name: 'Australia', numcode: 36, callingCode: '61', zipDigits: 4, names: 'en', locale: 'en_AU', towns: [['Melbourne', 'Victoria'], ['Ballarat', 'Victoria'], ['Bendigo', 'Victoria'], ['Geelong', 'Victoria'], ['Castlemaine', 'Victoria'], ['Daylesford', 'Victoria'], ['Sydney', 'New South Wales'], ['Newcastle', 'New South Wales'], ['Byron Bay', 'New South Wales'], ['Brisbane', 'Queensland'], ['Hobart', 'Tasmania'], ['Launceston', 'Tasmania'], ['Adelaide', 'South Australia'], ['Perth', 'Western Australia'], ['Canberra', 'Australian Capital Territory']], taxAdded: false, taxRates: [0, 0.1], lat: -37.8, lng: 144.9 },
  { iso: 'GB', iso3: 'GBR', isoName: 'UNITED KINGDOM', name: 'United Kingdom', numcode: 826, callingCode: '44', zipDigits: 0, names: 'en', locale: 'en_GB', towns: [['Bristol', 'England'], ['Bath', 'England'], ['Stroud', 'England'], ['Totnes', 'England'], ['Exeter', 'England'], ['Brighton', 'England'], ['Lewes', 'England'], ['Norwich', 'England'], ['Cambridge', 'England'], ['Oxford', 'England'], ['Sheffield', 'England'], ['Leeds', 'England'], ['York', 'England'], ['Manchester', 'England'], ['Glasgow', 'Scotland'], ['Edinburgh', 'Scotland'], ['Cardiff', 'Wales']], taxAdded: false, taxRates: [0, 0.2], lat: 52.5, lng: -1.5 },
  { iso: 'BE', iso3: 'BEL', isoName: 'BELGIUM', name: 'Belgium', numcode: 56, callingCode: '32', zipDigits: 4, names: 'nl', locale: 'fr_BE', towns: [['Bruxelles', 'Bruxelles'], ['Liège', 'Wallonie'], ['Namur', 'Wallonie'], ['Gent', 'Vlaanderen'], ['Leuven', 'Vlaanderen'], ['Antwerpen', 'Vlaanderen'], ['Mons', 'Wallonie'], ['Charleroi', 'Wallonie'], ['Brugge', 'Vlaanderen'], ['Louvain-la-Neuve', 'Wallonie']], taxAdded: false, taxRates: [0.06, 0.21], lat: 50.6, lng: 4.5 },
  { iso: 'DE', iso3: 'DEU', isoName: 'GERMANY', name: 'Germany', numcode: 276, callingCode: '49', zipDigits: 5, names: 'de', locale: 'de_DE', towns: [['Berlin', 'Berlin'], ['Potsdam', 'Brandenburg'], ['Leipzig', 'Sachsen'], ['Dresden', 'Sachsen'], ['Freiburg', 'Baden-Württemberg'], ['Hamburg', 'Hamburg'], ['Köln', 'Nordrhein-Westfalen'], ['München', 'Bayern'], ['Kassel', 'Hessen'], ['Göttingen', 'Niedersachsen'], ['Münster', 'Nordrhein-Westfalen'], ['Heidelberg', 'Baden-Württemberg']], taxAdded: false, taxRates: [0.07, 0.19], lat: 51.2, lng: 10.4 },
  { iso: 'IE', iso3: 'IRL', isoName: 'IRELAND', name: 'Ireland', numcode: 372, callingCode: '353', zipDigits: 0, names: 'en', locale: 'en_IE', towns: [['Dublin', 'Leinster'], ['Cork', 'Munster'], ['Galway', 'Connacht'], ['Limerick', 'Munster'], ['Kilkenny', 'Leinster'], ['Westport', 'Connacht'], ['Sligo', 'Connacht'], ['Wexford', 'Leinster']], taxAdded: false, taxRates: [0, 0.135, 0.23], lat: 53.3, lng: -7.7 },
  { iso: 'IT', iso3: 'ITA', isoName: 'ITALY', name: 'Italy', numcode: 380, callingCode: '39', zipDigits: 5, names: 'it', locale: 'it', towns: [['Torino', 'Piemonte'], ['Milano', 'Lombardia'], ['Bologna', 'Emilia-Romagna'], ['Firenze', 'Toscana'], ['Parma', 'Emilia-Romagna'], ['Verona', 'Veneto'], ['Padova', 'Veneto'], ['Genova', 'Liguria'], ['Roma', 'Lazio'], ['Perugia', 'Umbria'], ['Bari', 'Puglia']], taxAdded: false, taxRates: [0.04, 0.1, 0.22], lat: 43.0, lng: 12.5 },
  { iso: 'CH', iso3: 'CHE', isoName: 'SWITZERLAND', name: 'Switzerland', numcode: 756, callingCode: '41', zipDigits: 4, names: 'de', locale: 'de_CH', towns: [['Zürich', 'Zürich'], ['Bern', 'Bern'], ['Basel', 'Basel-Stadt'], ['Luzern', 'Luzern'], ['Genève', 'Genève'], ['Lausanne', 'Vaud'], ['Fribourg', 'Fribourg'], ['Winterthur', 'Zürich'], ['St. Gallen', 'St. Gallen']], taxAdded: false, taxRates: [0.026, 0.081], lat: 46.8, lng: 8.2 },
  { iso: 'FI', iso3: 'FIN', isoName: 'FINLAND', name: 'Finland', numcode: 246, callingCode: '358', zipDigits: 5, names: 'fi', locale: 'fi', towns: [['Helsinki', 'Uusimaa'], ['Espoo', 'Uusimaa'], ['Tampere', 'Pirkanmaa'], ['Turku', 'Varsinais-Suomi'], ['Oulu', 'Pohjois-Pohjanmaa'], ['Jyväskylä', 'Keski-Suomi'], ['Kuopio', 'Pohjois-Savo'], ['Lahti', 'Päijät-Häme']], taxAdded: false, taxRates: [0.14, 0.255], lat: 61.9, lng: 25.7 },
  { iso: 'GR', iso3: 'GRC', isoName: 'GREECE', name: 'Greece', numcode: 300, callingCode: '30', zipDigits: 5, names: 'el', locale: 'el', towns: [['Athina', 'Attiki'], ['Thessaloniki', 'Kentriki Makedonia'], ['Patra', 'Dytiki Ellada'], ['Irakleio', 'Kriti'], ['Larisa', 'Thessalia'], ['Volos', 'Thessalia'], ['Ioannina', 'Ipeiros'], ['Chania', 'Kriti']], taxAdded: false, taxRates: [0.13, 0.24], lat: 39.1, lng: 21.8 },
  { iso: 'HU', iso3: 'HUN', isoName: 'HUNGARY', name: 'Hungary', numcode: 348, callingCode: '36', zipDigits: 4, names: 'hu', locale: 'hu', towns: [['Budapest', 'Budapest'], ['Debrecen', 'Hajdú-Bihar'], ['Szeged', 'Csongrád-Csanád'], ['Pécs', 'Baranya'], ['Győr', 'Győr-Moson-Sopron'], ['Eger', 'Heves'], ['Sopron', 'Győr-Moson-Sopron'], ['Kecskemét', 'Bács-Kiskun']], taxAdded: false, taxRates: [0.05, 0.18, 0.27], lat: 47.2, lng: 19.5 },
  { iso: 'CA', iso3: 'CAN', isoName: 'CANADA', name: 'Canada', numcode: 124, callingCode: '1', zipDigits: 0, names: 'en', locale: 'en_CA', towns: [['Toronto', 'Ontario'], ['Ottawa', 'Ontario'], ['Guelph', 'Ontario'], ['Kingston', 'Ontario'], ['Montréal', 'Québec'], ['Halifax', 'Nova Scotia'], ['Winnipeg', 'Manitoba'], ['Vancouver', 'British Columbia'], ['Victoria', 'British Columbia']], taxAdded: true, taxRates: [0, 0.05, 0.13], lat: 45.4, lng: -75.7 },
  { iso: 'US', iso3: 'USA', isoName: 'UNITED STATES', name: 'United States', numcode: 840, callingCode: '1', zipDigits: 5, names: 'en', locale: 'en_US', towns: [['Minneapolis', 'Minnesota'], ['Madison', 'Wisconsin'], ['Milwaukee', 'Wisconsin'], ['Chicago', 'Illinois'], ['Des Moines', 'Iowa'], ['St. Louis', 'Missouri'], ['Kansas City', 'Missouri'], ['Omaha', 'Nebraska'], ['Ann Arbor', 'Michigan'], ['Austin', 'Texas']], taxAdded: true, taxRates: [0, 0.05, 0.07], lat: 41.9, lng: -91.5 },
  { iso: 'NZ', iso3: 'NZL', isoName: 'NEW ZEALAND', name: 'New Zealand', numcode: 554, callingCode: '64', zipDigits: 4, names: 'en', locale: 'en_NZ', towns: [['Auckland', 'Auckland'], ['Hamilton', 'Waikato'], ['Tauranga', 'Bay of Plenty'], ['Wellington', 'Wellington'], ['Nelson', 'Nelson'], ['Christchurch', 'Canterbury'], ['Dunedin', 'Otago'], ['Napier', 'Hawke\'s Bay']], taxAdded: false, taxRates: [0.15], lat: -40.9, lng: 174.9 },
  { iso: 'ZA', iso3: 'ZAF', isoName: 'SOUTH AFRICA', name: 'South Africa', numcode: 710, callingCode: '27', zipDigits: 4, names: 'en', locale: 'en', towns: [['Pretoria', 'Gauteng'], ['Johannesburg', 'Gauteng'], ['Cape Town', 'Western Cape'], ['Stellenbosch', 'Western Cape'], ['Durban', 'KwaZulu-Natal'], ['Pietermaritzburg', 'KwaZulu-Natal'], ['Gqeberha', 'Eastern Cape'], ['Bloemfontein', 'Free State']], taxAdded: false, taxRates: [0, 0.15], lat: -28.5, lng: 24.7 },
  { iso: 'IN', iso3: 'IND', isoName: 'INDIA', name: 'India', numcode: 356, callingCode: '91', zipDigits: 6, names: 'en', locale: 'en', towns: [['Bengaluru', 'Karnataka'], ['Mysuru', 'Karnataka'], ['Pune', 'Maharashtra'], ['Mumbai', 'Maharashtra'], ['Chennai', 'Tamil Nadu'], ['Kochi', 'Kerala'], ['Hyderabad', 'Telangana'], ['Delhi', 'Delhi']], taxAdded: false, taxRates: [0, 0.05, 0.12], lat: 15.3, lng: 75.7 },
  { iso: 'BR', iso3: 'BRA', isoName: 'BRAZIL', name: 'Brazil', numcode: 76, callingCode: '55', zipDigits: 8, names: 'pt', locale: 'pt_BR', towns: [['São Paulo', 'São Paulo'], ['Campinas', 'São Paulo'], ['Curitiba', 'Paraná'], ['Florianópolis', 'Santa Catarina'], ['Porto Alegre', 'Rio Grande do Sul'], ['Belo Horizonte', 'Minas Gerais'], ['Rio de Janeiro', 'Rio de Janeiro'], ['Brasília', 'Distrito Federal']], taxAdded: false, taxRates: [0, 0.07, 0.12], lat: -23.5, lng: -46.6 },
  { iso: 'CO', iso3: 'COL', isoName: 'COLOMBIA', name: 'Colombia', numcode: 170, callingCode: '57', zipDigits: 6, names: 'es', locale: 'es_CO', towns: [['Bogotá', 'Cundinamarca'], ['Medellín', 'Antioquia'], ['Cali', 'Valle del Cauca'], ['Manizales', 'Caldas'], ['Pereira', 'Risaralda'], ['Bucaramanga', 'Santander'], ['Tunja', 'Boyacá'], ['Popayán', 'Cauca']], taxAdded: false, taxRates: [0, 0.05, 0.19], lat: 4.7, lng: -74.1 },
  { iso: 'CR', iso3: 'CRI', isoName: 'COSTA RICA', name: 'Costa Rica', numcode: 188, callingCode: '506', zipDigits: 5, names: 'es', locale: 'es_CR', towns: [['San José', 'San José'], ['Heredia', 'Heredia'], ['Alajuela', 'Alajuela'], ['Cartago', 'Cartago'], ['Liberia', 'Guanacaste'], ['Puntarenas', 'Puntarenas'], ['Limón', 'Limón'], ['San Isidro', 'San José']], taxAdded: false, taxRates: [0.01, 0.13], lat: 9.9, lng: -84.1 },
  { iso: 'NO', iso3: 'NOR', isoName: 'NORWAY', name: 'Norway', numcode: 578, callingCode: '47', zipDigits: 4, names: 'no', locale: 'nb', towns: [['Oslo', 'Oslo'], ['Bergen', 'Vestland'], ['Trondheim', 'Trøndelag'], ['Stavanger', 'Rogaland'], ['Tromsø', 'Troms'], ['Drammen', 'Buskerud'], ['Lillehammer', 'Innlandet']], taxAdded: false, taxRates: [0.15, 0.25], lat: 60.5, lng: 8.5 },
  { iso: 'PT', iso3: 'PRT', isoName: 'PORTUGAL', name: 'Portugal', numcode: 620, callingCode: '351', zipDigits: 7, names: 'pt', locale: 'pt', towns: [['Lisboa', 'Lisboa'], ['Porto', 'Norte'], ['Coimbra', 'Centro'], ['Braga', 'Norte'], ['Évora', 'Alentejo'], ['Faro', 'Algarve']], taxAdded: false, taxRates: [0.06, 0.23], lat: 39.6, lng: -8.0 },
];

const BY_CURRENCY: Readonly<Record<string, string>> = {
  AUD: 'AU', GBP: 'GB', HUF: 'HU', NZD: 'NZ', ZAR: 'ZA', INR: 'IN', BRL: 'BR', COP: 'CO', CRC: 'CR',
  NOK: 'NO', CAD: 'CA', CHF: 'CH', USD: 'US',
};

const BY_ZONE: Readonly<Record<string, string>> = {
  'Europe/Madrid': 'ES', 'Europe/Paris': 'FR', 'Europe/London': 'GB', 'Europe/Brussels': 'BE',
  'Europe/Berlin': 'DE', 'Europe/Dublin': 'IE', 'Europe/Rome': 'IT', 'Europe/Zurich': 'CH',
  'Europe/Vienna': 'CH', 'Europe/Helsinki': 'FI', 'Europe/Athens': 'GR', 'Europe/Budapest': 'HU',
  'America/New_York': 'US', 'America/Toronto': 'CA', 'America/Chicago': 'US', 'Pacific/Auckland': 'NZ',
  'Africa/Johannesburg': 'ZA', 'Asia/Kolkata': 'IN', 'America/Sao_Paulo': 'BR', 'America/Bogota': 'CO',
  'America/Costa_Rica': 'CR', 'Europe/Oslo': 'NO', 'Europe/Lisbon': 'PT', 'UTC': 'GB', 'Etc/UTC': 'GB',
};

/** The instance's country: non-euro currencies identify it, otherwise the zone does (ofn-data.md §4). */
export function countryFor(timezone: string, currency: string): CountrySpec {
  const iso =
    BY_CURRENCY[currency.toUpperCase()] ??
    BY_ZONE[timezone] ??
    (timezone.startsWith('Australia/') ? 'AU' : timezone.startsWith('Europe/') ? 'FR' : 'GB');
  return COUNTRIES.find((c) => c.iso === iso) ?? (COUNTRIES[0] as CountrySpec);
}

/** A few neighbours stored alongside the instance's country, as OFN instances carry a country list. */
export function neighbourCountries(home: CountrySpec): CountrySpec[] {
  const preferred = ['ES', 'FR', 'PT', 'GB', 'DE', 'IT', 'AU', 'NZ', 'US', 'CA'];
  return preferred
    .filter((iso) => iso !== home.iso)
    .slice(0, 4)
    .map((iso) => COUNTRIES.find((c) => c.iso === iso) as CountrySpec);
}

/** Rough price level: how many units of the currency buy what 1 EUR buys in a food box. */
const PRICE_LEVEL: Readonly<Record<string, number>> = {
  EUR: 1, GBP: 0.9, CHF: 1.3, AUD: 1.7, NZD: 1.8, CAD: 1.5, USD: 1.15, ZAR: 15, INR: 45, BRL: 4,
  COP: 3500, CRC: 550, HUF: 380, NOK: 12,
};

export function priceLevel(currency: string): number {
  return PRICE_LEVEL[currency.toUpperCase()] ?? 1;
}

export interface NameSet {
  first: readonly string[];
  last: readonly string[];
  streets: readonly string[];
  /** '{n}' is the house number, '{s}' the street. */
  streetFormat: string;
}

export const NAME_SETS: Readonly<Record<NameSetKey, NameSet>> = {
  es: {
    first: ['María', 'Carmen', 'Laura', 'Marta', 'Núria', 'Montse', 'Ana', 'Lucía', 'Elena', 'Paula', 'Cristina', 'Sara', 'Pilar', 'Rosa', 'Jordi', 'Josep', 'Joan', 'Pere', 'Marc', 'David', 'Javier', 'Carlos', 'Miguel', 'Antonio', 'Pablo', 'Álvaro', 'Sergio', 'Iñaki', 'Xavier', 'Andrés'],
    last: ['García', 'Martínez', 'López', 'Sánchez', 'Pérez', 'Gómez', 'Fernández', 'Rodríguez', 'Puig', 'Ferrer', 'Vidal', 'Soler', 'Serra', 'Roca', 'Font', 'Casas', 'Molina', 'Navarro', 'Ortega', 'Romero', 'Torres', 'Ruiz', 'Vallès', 'Bosch', 'Etxeberria', 'Iglesias'],
    streets: ['Calle Mayor', 'Carrer Major', 'Calle del Sol', "Carrer de l'Església", 'Avenida de la Constitución', 'Camino Real', 'Calle de la Fuente', 'Carrer del Mercat', 'Plaza del Pueblo', 'Calle San Juan'],
    streetFormat: '{s}, {n}',
  },
  fr: {
    first: ['Camille', 'Léa', 'Manon', 'Chloé', 'Julie', 'Claire', 'Sophie', 'Marie', 'Élodie', 'Anne', 'Lucas', 'Hugo', 'Louis', 'Thomas', 'Nicolas', 'Julien', 'Antoine', 'Pierre', 'Mathieu', 'Olivier', 'François', 'Benoît'],
    last: ['Martin', 'Bernard', 'Dubois', 'Thomas', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau', 'Simon', 'Laurent', 'Lefèvre', 'Michel', 'Garnier', 'Faure', 'Rousseau', 'Blanc', 'Guérin', 'Chevalier'],
    streets: ['rue de la République', 'rue des Lilas', 'chemin des Vignes', 'place du Marché', 'route de la Gare', 'rue Victor Hugo', 'allée des Tilleuls', 'rue du Moulin'],
    streetFormat: '{n} {s}',
  },
  en: {
    first: ['Olivia', 'Emma', 'Charlotte', 'Amelia', 'Sophie', 'Grace', 'Hannah', 'Lucy', 'Chloe', 'Jessica', 'Sarah', 'Priya', 'Aroha', 'Jack', 'Oliver', 'William', 'James', 'Noah', 'Thomas', 'Liam', 'Lachlan', 'Samuel', 'Daniel', 'Ben', 'Matthew', 'Rahul', 'Tane'],
    last: ['Smith', 'Jones', 'Williams', 'Brown', 'Wilson', 'Taylor', 'Johnson', 'White', 'Martin', 'Anderson', 'Thompson', 'Nguyen', 'Walker', 'Harris', 'Clarke', 'Robinson', 'Wright', "O'Brien", 'Kelly', 'Murphy', 'Patel', 'Campbell', 'Stewart', 'MacDonald', 'Evans'],
    streets: ['High Street', 'Station Road', 'Church Lane', 'Main Road', 'Mill Lane', 'Park Avenue', 'Orchard Way', 'Victoria Street', 'Bridge Road', 'Farm Road'],
    streetFormat: '{n} {s}',
  },
  de: {
    first: ['Anna', 'Lena', 'Lea', 'Hannah', 'Sophie', 'Marie', 'Julia', 'Katharina', 'Sabine', 'Petra', 'Lukas', 'Jonas', 'Leon', 'Felix', 'Paul', 'Maximilian', 'Stefan', 'Andreas', 'Michael', 'Jürgen', 'Tobias', 'Matthias'],
    last: ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Schulz', 'Hoffmann', 'Koch', 'Richter', 'Klein', 'Wolf', 'Schröder', 'Neumann', 'Zimmermann', 'Braun', 'Krüger', 'Hofmann'],
    streets: ['Hauptstraße', 'Dorfstraße', 'Bahnhofstraße', 'Gartenweg', 'Schulstraße', 'Lindenallee', 'Mühlweg', 'Kirchgasse'],
    streetFormat: '{s} {n}',
  },
  it: {
    first: ['Giulia', 'Francesca', 'Chiara', 'Sara', 'Martina', 'Valentina', 'Elena', 'Alessia', 'Marco', 'Luca', 'Giuseppe', 'Francesco', 'Alessandro', 'Andrea', 'Matteo', 'Lorenzo', 'Davide', 'Simone'],
    last: ['Rossi', 'Russo', 'Ferrari', 'Esposito', 'Bianchi', 'Romano', 'Colombo', 'Ricci', 'Marino', 'Greco', 'Bruno', 'Gallo', 'Conti', 'De Luca', 'Costa', 'Giordano', 'Mancini', 'Rizzo'],
    streets: ['Via Roma', 'Via Garibaldi', 'Via Mazzini', 'Corso Italia', 'Via dei Mille', 'Piazza del Mercato', 'Via Verdi', 'Strada Provinciale'],
    streetFormat: '{s} {n}',
  },
  pt: {
    first: ['Ana', 'Maria', 'Beatriz', 'Mariana', 'Juliana', 'Camila', 'Fernanda', 'Inês', 'João', 'Pedro', 'Lucas', 'Gabriel', 'Rafael', 'Tiago', 'Bruno', 'Felipe', 'Rodrigo'],
    last: ['Silva', 'Santos', 'Oliveira', 'Souza', 'Pereira', 'Costa', 'Rodrigues', 'Almeida', 'Nascimento', 'Lima', 'Carvalho', 'Ferreira', 'Gomes', 'Martins', 'Ribeiro', 'Sousa'],
    streets: ['Rua das Flores', 'Avenida Brasil', 'Rua do Comércio', 'Rua Sete de Setembro', 'Travessa da Horta', 'Rua da Liberdade', 'Estrada Velha'],
    streetFormat: '{s}, {n}',
  },
  nl: {
    first: ['Emma', 'Louise', 'Marie', 'Lotte', 'Julie', 'Elise', 'Sarah', 'Lucas', 'Noah', 'Arthur', 'Louis', 'Jules', 'Thomas', 'Pieter', 'Wouter', 'Bram'],
    last: ['Peeters', 'Janssens', 'Maes', 'Jacobs', 'Mertens', 'Willems', 'Claes', 'Goossens', 'Wouters', 'De Smet', 'Dubois', 'Lambert', 'Dupont', 'Martin', 'Vermeulen'],
    streets: ['Kerkstraat', 'Stationsstraat', 'Rue de la Station', "Rue de l'Église", 'Dorpsstraat', 'Molenstraat', 'Chaussée de Namur'],
    streetFormat: '{s} {n}',
  },
  fi: {
    first: ['Aino', 'Helmi', 'Sofia', 'Emilia', 'Laura', 'Elina', 'Johanna', 'Juha', 'Mikko', 'Timo', 'Jari', 'Antti', 'Matti', 'Eero', 'Ville'],
    last: ['Korhonen', 'Virtanen', 'Mäkinen', 'Nieminen', 'Mäkelä', 'Hämäläinen', 'Laine', 'Heikkinen', 'Koskinen', 'Järvinen', 'Lehtonen', 'Saarinen'],
    streets: ['Kauppakatu', 'Rantatie', 'Koulukatu', 'Myllytie', 'Kirkkotie', 'Puistokatu'],
    streetFormat: '{s} {n}',
  },
  el: {
    first: ['Maria', 'Eleni', 'Katerina', 'Vasiliki', 'Sofia', 'Georgia', 'Giorgos', 'Dimitris', 'Nikos', 'Kostas', 'Giannis', 'Christos', 'Panagiotis'],
    last: ['Papadopoulos', 'Papadaki', 'Georgiou', 'Nikolaou', 'Oikonomou', 'Dimitriou', 'Konstantinou', 'Vlachos', 'Pappas', 'Karagiannis', 'Makris'],
    streets: ['Odos Ermou', 'Odos Athinas', 'Leoforos Eleftherias', 'Odos Agiou Nikolaou', 'Odos Kentrikis Agoras'],
    streetFormat: '{s} {n}',
  },
  hu: {
    first: ['Anna', 'Eszter', 'Katalin', 'Zsófia', 'Réka', 'Dóra', 'Péter', 'László', 'Gábor', 'Bence', 'Tamás', 'Zoltán', 'Balázs'],
    last: ['Nagy', 'Kovács', 'Tóth', 'Szabó', 'Horváth', 'Varga', 'Kiss', 'Molnár', 'Németh', 'Farkas', 'Balogh', 'Papp'],
    streets: ['Fő utca', 'Kossuth Lajos utca', 'Petőfi Sándor utca', 'Rákóczi út', 'Piac tér', 'Kert utca'],
    streetFormat: '{s} {n}.',
  },
  no: {
    first: ['Nora', 'Emma', 'Ingrid', 'Sofie', 'Ingeborg', 'Kari', 'Astrid', 'Jakob', 'Emil', 'Lars', 'Ole', 'Magnus', 'Henrik', 'Sindre'],
    last: ['Hansen', 'Johansen', 'Olsen', 'Larsen', 'Andersen', 'Pedersen', 'Nilsen', 'Kristiansen', 'Jensen', 'Karlsen', 'Berg', 'Haugen'],
    streets: ['Storgata', 'Kirkeveien', 'Skolegata', 'Torggata', 'Gårdsveien', 'Strandveien'],
    streetFormat: '{s} {n}',
  },
};

/** Words for enterprise names; '{town}', '{last}' and '{adj}' are filled in. */
export const PRODUCER_NAME_PATTERNS = [
  '{last} Family Farm', '{town} Orchard', '{adj} Acres', '{last} Growers', '{town} Dairy', '{last} Bakery',
  '{adj} Bees', '{town} Market Garden', '{adj} Roots Farm', '{last} Vineyard', '{adj} Hen Eggs', '{town} Mushrooms',
  '{adj} Valley Organics', '{last} Olive Grove', '{adj} Fields', '{town} Cheese Makers', '{last} Smallholding',
] as const;
export const HUB_NAME_PATTERNS = [
  '{town} Food Hub', '{town} Food Coop', '{adj} Basket', '{town} Community Market', '{adj} Pantry',
  '{town} Farmers Collective', '{adj} Box Scheme', 'The {adj} Larder', '{town} Veg Box', '{adj} Grocer',
  '{town} Buying Group', '{adj} Table', '{town} School Co-op',
] as const;
export const NAME_ADJECTIVES = [
  'Green', 'Sunny', 'Wild', 'Golden', 'Hillside', 'Riverside', 'Oak Tree', 'Willow', 'Blue Sky', 'Red Barn',
  'Stone Wall', 'Happy Hen', 'Good Earth', 'Little', 'Honest', 'Fresh', 'Old Mill', 'Seasonal', 'Slow', 'Bright',
] as const;

/** Products sold in line items: name, variant (unit) and a base price in EUR. */
export const PRODUCTS: ReadonlyArray<readonly [string, string, number]> = [
  ['Tomatoes', '1 kg', 3.8], ['Potatoes', '2 kg', 3.2], ['Carrots', '1 kg', 2.4], ['Lettuce', '1 head', 1.6],
  ['Free-range eggs', '12', 5.2], ['Sourdough bread', '800 g', 4.9], ['Honey', '500 g', 8.5], ['Apples', '1 kg', 3.4],
  ['Pears', '1 kg', 3.6], ['Oranges', '2 kg', 4.2], ['Olive oil', '1 l', 11.5], ['Goat cheese', '250 g', 6.8],
  ['Cow milk', '1 l', 1.7], ['Yoghurt', '4 x 125 g', 3.1], ['Butter', '250 g', 3.9], ['Chicken', '1.5 kg', 17.5],
  ['Beef mince', '500 g', 8.9], ['Lamb chops', '500 g', 13.9], ['Seasonal veg box', 'Medium', 22], ['Fruit box', 'Small', 16],
  ['Strawberries', '500 g', 4.5], ['Mushrooms', '300 g', 3.7], ['Leeks', '1 bunch', 2.6], ['Pumpkin', '1 unit', 4.2],
  ['Spinach', '300 g', 2.8], ['Garlic', '250 g', 3.3], ['Onions', '1 kg', 2.1], ['Lentils', '1 kg', 4.4],
  ['Wholemeal flour', '1 kg', 2.9], ['Apple juice', '1 l', 3.8], ['Red wine', '750 ml', 9.9], ['Jam', '330 g', 4.6],
  ['Walnuts', '500 g', 7.2], ['Kale', '1 bunch', 2.7], ['Beetroot', '1 kg', 2.9], ['Cider', '500 ml', 3.5],
];

export const SPECIAL_INSTRUCTIONS = [
  'Please leave the box at the door.', 'Ring the bell twice, the flat is on the 3rd floor.',
  "I'll pick up after 6 pm.", 'No plastic bags please.', 'Call me when you arrive.',
  'My neighbour at number 14 can take the order.', 'Gate code 4521.', 'Allergic to nuts.',
] as const;

/** ASCII slug of a name ("Pêra Ñandú & Co." -> "pera-nandu-co"). */
export function slugify(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

/** ASCII local part of an email address ("María", "Vallès") -> "maria.valles". */
export function emailLocalPart(first: string, last: string): string {
  const clean = (s: string) =>
    s
      .normalize('NFD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '');
  return `${clean(first)}.${clean(last)}`;
}
